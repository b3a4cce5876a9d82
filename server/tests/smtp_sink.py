"""A real SMTP server for the integration tests (aiosmtpd, Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORT DIR [stall]. Every message is written to DIR as N.eml (the raw message
as received) and N.json (the envelope: sender and recipients). With "stall" it never answers a
message's data (it writes DIR/stalled instead), so a client is caught mid-send. Runs until killed.
"""
import asyncio
import json
import os
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, stall):
        self.directory = directory
        self.stall = stall
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.stall:
            open(os.path.join(self.directory, "stalled"), "w").close()
            await asyncio.sleep(3600)
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json.tmp", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        os.rename(base + ".json.tmp", base + ".json")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 Message accepted for delivery"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    stall = len(sys.argv) > 3 and sys.argv[3] == "stall"
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory, stall), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
