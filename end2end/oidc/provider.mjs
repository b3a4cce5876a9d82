// A real OpenID Provider for Offcycle's tests: npm `oidc-provider` (OpenID-certified), on loopback.
//
//   OIDC_PORT            where to listen (the issuer is http://127.0.0.1:PORT)
//   OIDC_REDIRECT_URIS   the relying party's callback URLs (comma-separated)
//   OIDC_POST_LOGOUT_URIS  where RP-initiated logout may return (comma-separated)
//   OIDC_USERS           JSON list: [{sub, email, email_verified, name, groups}]
//   OIDC_WORK_DIR        where the private_key_jwt client's key lives (client-key.pem, made
//                        once and kept, so a restart keeps the client and changes only the
//                        provider's own signing key: a key rotation)
//   OIDC_TAMPER          optional misbehaviour of the token endpoint, re-signed with the
//                        provider's real key: aud | nonce | exp | kid (an unknown signing key)
//
// Two clients: `offcycle` (client_secret_basic, secret `offcycle-test-secret`) and
// `offcycle-jwt` (private_key_jwt). Login: `login_hint` signs in at once (automation); without
// one, a one-field form asks for the email. Consent is granted on the user's behalf.
// GET /test/jwks-requests answers how often the key set was fetched.

import Provider from "oidc-provider";
import { generateKeyPairSync, randomUUID, createPrivateKey } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as jose from "jose";

const port = Number(process.env.OIDC_PORT || 4100);
const issuer = `http://127.0.0.1:${port}`;
const list = (v) => (v || "").split(",").map((s) => s.trim()).filter(Boolean);
const users = JSON.parse(process.env.OIDC_USERS || "[]");
const workDir = process.env.OIDC_WORK_DIR || ".";
const tamper = process.env.OIDC_TAMPER || "";

// A fresh signing key on every start.
const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingJwk = { ...signing.privateKey.export({ format: "jwk" }), kid: randomUUID(), use: "sig", alg: "RS256" };

// The private_key_jwt client's key: made once per work folder.
const clientKeyFile = join(workDir, "client-key.pem");
if (!existsSync(clientKeyFile)) {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(clientKeyFile, pair.privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
}
const clientPrivate = createPrivateKey(readFileSync(clientKeyFile));
const { d, p, q, dp, dq, qi, ...clientPublicJwk } = clientPrivate.export({ format: "jwk" });

const redirect_uris = list(process.env.OIDC_REDIRECT_URIS);
const post_logout_redirect_uris = list(process.env.OIDC_POST_LOGOUT_URIS);
const configuration = {
  clients: [
    {
      client_id: "offcycle",
      client_secret: "offcycle-test-secret",
      token_endpoint_auth_method: "client_secret_basic",
      redirect_uris,
      post_logout_redirect_uris,
    },
    {
      client_id: "offcycle-jwt",
      token_endpoint_auth_method: "private_key_jwt",
      token_endpoint_auth_signing_alg: "RS256",
      jwks: { keys: [{ ...clientPublicJwk, alg: "RS256", use: "sig" }] },
      redirect_uris,
      post_logout_redirect_uris,
    },
  ],
  jwks: { keys: [signingJwk] },
  cookies: { keys: ["offcycle-test-cookie-key"] },
  scopes: ["openid", "email", "profile", "groups"],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
  acrValues: ["urn:offcycle:test:acr:1"],
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page("Sign out", `${form}<h1>Sign out of the test provider?</h1>
          <button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`);
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => {
    const user = users.find((u) => u.sub === sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      claims: async () => ({
        sub,
        email: user.email,
        email_verified: user.email_verified !== false,
        name: user.name,
        groups: user.groups || [],
      }),
    };
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600 },
};

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
    <body><main>${body}</main></body></html>`;
}

const provider = new Provider(issuer, configuration);
let jwksRequests = 0;

provider.use(async (ctx, next) => {
  if (ctx.path === "/test/jwks-requests") {
    ctx.body = { count: jwksRequests };
    return;
  }
  if (ctx.path === "/jwks") jwksRequests += 1;
  const m = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!m) {
    await next();
    if (ctx.path === "/token" && tamper && ctx.body && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: await tampered(ctx.body.id_token) };
    }
    return;
  }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, uid } = details;
  if (prompt.name === "login") {
    let login = params.login_hint;
    if (ctx.method === "POST") {
      const body = await new Promise((resolve) => {
        let data = "";
        ctx.req.on("data", (c) => (data += c));
        ctx.req.on("end", () => resolve(new URLSearchParams(data)));
      });
      login = body.get("login");
    }
    const user = login && users.find((u) => u.email === login.trim().toLowerCase());
    if (!user) {
      const problem = login ? `<p role="alert">No test user is called ${login.replace(/[<>&"]/g, "")}</p>` : "";
      ctx.body = page("Test provider sign-in", `<h1>Test provider sign-in</h1>${problem}
        <form method="post" action="/interaction/${uid}/login">
          <label for="login">Email</label> <input id="login" name="login" type="email" autocomplete="username">
          <button type="submit">Sign in at the test provider</button>
        </form>`);
      return;
    }
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === "consent") {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(" "));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(" "));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  ctx.status = 400;
  ctx.body = `unexpected prompt ${prompt.name}`;
});

// The misbehaving token endpoint: the same token with one claim (or the key) changed, signed
// properly, so only the relying party's checks of that claim can catch it.
async function tampered(idToken) {
  const claims = jose.decodeJwt(idToken);
  let key = signing.privateKey;
  let kid = signingJwk.kid;
  if (tamper === "aud") claims.aud = "someone-else";
  if (tamper === "nonce") claims.nonce = "not-the-nonce-you-sent";
  if (tamper === "exp") {
    claims.iat -= 7200;
    claims.exp = claims.iat + 600;
  }
  if (tamper === "kid") {
    key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    kid = randomUUID();
  }
  return new jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", kid }).sign(key);
}

provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider ready at ${issuer}`);
});
