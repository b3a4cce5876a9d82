//! Finishing the document for the archive (PDF/A-2a, PDF/UA-1): PDF 1.7 header, a document
//! information dictionary and matching XMP metadata with the PDF/A and PDF/UA identifications,
//! the structure tree the layout built ([`super::tags`]), an sRGB output intent, and a document
//! ID derived from the record (so the bytes are reproducible).
//!
//! printpdf's conformance setting only labels a document, so this is done on the lopdf
//! document printpdf produces.

use super::tags::Tree;
use super::{ChangeRecord, PdfError};
use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Object, Stream, StringFormat};
use sha2::{Digest, Sha256};

const SRGB_ICC: &[u8] = include_bytes!("../../assets/icc/sRGB.icc");
const PRODUCER: &str = "Offcycle (printpdf 0.12.8, lopdf 0.44)";

/// What the information dictionary and XMP say.
pub struct Metadata {
    title: String,
    subject: String,
    authors: Vec<String>,
    keywords: String,
    reference: String,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
    id: [u8; 16],
}

impl Metadata {
    /// The metadata of a record's rendering.
    pub fn of(r: &ChangeRecord) -> Metadata {
        let copy = r.copy.as_ref().map(|(n, _)| *n).unwrap_or(0);
        let seed = format!("{}\u{0}{}\u{0}{copy}", r.reference, r.record_version);
        let digest = Sha256::digest(seed.as_bytes());
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        Metadata {
            title: format!("{}: {}", r.reference, r.title),
            subject: format!("Emergency change record for {}, {}", r.system, r.state.to_lowercase()),
            authors: vec!["Offcycle".to_string(), r.requester.clone()],
            keywords: format!("{}; emergency change; {}; {}", r.reference, r.system, r.state),
            reference: r.reference.clone(),
            created: r.created_at,
            modified: r.as_of,
            id,
        }
    }
}

/// A PDF text string: PDFDocEncoding-safe ASCII as is, anything else UTF-16BE with a BOM.
fn text(s: &str) -> Object {
    if s.is_ascii() {
        return Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn pdf_date(t: DateTime<Utc>) -> Object {
    Object::String(t.format("D:%Y%m%d%H%M%SZ").to_string().into_bytes(), StringFormat::Literal)
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn xmp(m: &Metadata) -> String {
    let date = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let creators: String = m.authors.iter().map(|a| format!("<rdf:li>{}</rdf:li>", xml(a))).collect();
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
<dc:creator><rdf:Seq>{creators}</rdf:Seq></dc:creator>
<dc:identifier>{reference}</dc:identifier>
<xmp:CreateDate>{created}</xmp:CreateDate>
<xmp:ModifyDate>{modified}</xmp:ModifyDate>
<xmp:MetadataDate>{modified}</xmp:MetadataDate>
<xmp:CreatorTool>Offcycle</xmp:CreatorTool>
<pdf:Producer>{producer}</pdf:Producer>
<pdf:Keywords>{keywords}</pdf:Keywords>
<pdfaid:part>2</pdfaid:part>
<pdfaid:conformance>A</pdfaid:conformance>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>The part of ISO 14289 (PDF/UA) the file conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"#,
        bom = '\u{FEFF}',
        title = xml(&m.title),
        subject = xml(&m.subject),
        reference = xml(&m.reference),
        created = date(m.created),
        modified = date(m.modified),
        producer = xml(PRODUCER),
        keywords = xml(&m.keywords),
    )
}

/// Adds the structure tree, the archival metadata and output intent, fixes the ID,
/// compresses and writes.
pub fn finish(mut doc: lopdf::Document, tags: &Tree, m: &Metadata) -> Result<Vec<u8>, PdfError> {
    let write = |e: lopdf::Error| PdfError::Write(e.to_string());
    doc.version = "1.7".to_string();

    let mut metadata = Dictionary::new();
    metadata.set("Type", Object::Name(b"Metadata".to_vec()));
    metadata.set("Subtype", Object::Name(b"XML".to_vec()));
    // Left uncompressed so archive tools can read it without a PDF parser.
    let metadata_id = doc.add_object(Stream::new(metadata, xmp(m).into_bytes()).with_compression(false));

    let mut icc = Dictionary::new();
    icc.set("N", Object::Integer(3));
    let icc_id = doc.add_object(Stream::new(icc, SRGB_ICC.to_vec()));
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFA1".to_vec()));
    intent.set("OutputConditionIdentifier", text("sRGB IEC61966-2.1"));
    intent.set("Info", text("sRGB IEC61966-2.1"));
    intent.set("DestOutputProfile", Object::Reference(icc_id));
    let intent_id = doc.add_object(intent);

    let catalog = doc.catalog_mut().map_err(write)?;
    catalog.remove(b"OutputIntents");
    catalog.set("Metadata", Object::Reference(metadata_id));
    catalog.set("OutputIntents", Object::Array(vec![Object::Reference(intent_id)]));
    catalog.set("Lang", text("en-US"));

    let mut info = Dictionary::new();
    info.set("Title", text(&m.title));
    info.set("Subject", text(&m.subject));
    info.set("Author", text(&m.authors.join("; ")));
    info.set("Keywords", text(&m.keywords));
    info.set("Creator", text("Offcycle"));
    info.set("Producer", text(PRODUCER));
    info.set("CreationDate", pdf_date(m.created));
    info.set("ModDate", pdf_date(m.modified));
    let info_id = doc.add_object(info);
    doc.trailer.set("Info", Object::Reference(info_id));
    let id = Object::String(m.id.to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));

    // printpdf's own information dictionary (and anything else unreferenced) goes.
    doc.prune_objects();
    doc.renumber_objects();
    for object in doc.objects.values_mut() {
        if let Object::Stream(stream) = object {
            deflate(stream).map_err(write)?;
            no_trailing_cr(stream).map_err(write)?;
        }
    }
    // Written after the renumbering: thousands of small dictionaries it need not walk.
    tags.write(&mut doc).map_err(write)?;
    // The structure tree is thousands of small dictionaries: packed into compressed object
    // streams (PDF 1.5, allowed by PDF/A-2) they cost a fraction of their plain size. lopdf
    // makes those streams while saving, so one ending in CR is found in the bytes: another
    // grouping of the objects gives other streams.
    for per_stream in (80..=100).rev() {
        let options = lopdf::SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .compression_level(3)
            .max_objects_per_stream(per_stream)
            .build();
        let mut out = Vec::new();
        doc.save_with_options(&mut out, options).map_err(|e| PdfError::Write(e.to_string()))?;
        if !out.windows(CR_END.len()).any(|w| w == CR_END) {
            return Ok(out);
        }
    }
    // Never seen; still a valid archival file, only larger.
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// Flate-compresses a stream not yet compressed (that allows it), at zlib's fast level:
/// lopdf's own `compress` always takes the slowest, which took a tagged 10-page record from
/// 17.5 ms to 26 ms to save a fifth of its size (BENCHMARKS.md §3).
fn deflate(stream: &mut Stream) -> Result<(), lopdf::Error> {
    use std::io::Write;
    if !stream.allows_compression || stream.dict.has(b"Filter") {
        return Ok(());
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&stream.content)?;
    let compressed = encoder.finish()?;
    if compressed.len() < stream.content.len() {
        stream.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        stream.set_content(compressed);
    }
    Ok(())
}

/// Stream data ending in CR before lopdf's LF and `endstream`: PDF/A reads the CR as part of
/// the end-of-line, so the stream looks one byte shorter than its `/Length`.
const CR_END: &[u8] = b"\r\nendstream";

/// Pads a stream whose data ends in CR until it does not: whitespace after page content and
/// character maps, a zero byte after a font program (its `/Length1` follows).
fn no_trailing_cr(stream: &mut Stream) -> Result<(), lopdf::Error> {
    while stream.content.last() == Some(&b'\r') {
        let font = stream.dict.has(b"Length1");
        let mut plain = stream.get_plain_content()?;
        plain.push(if font { 0 } else { b'\n' });
        if font {
            stream.dict.set("Length1", Object::Integer(plain.len() as i64));
        }
        stream.set_plain_content(plain);
        deflate(stream)?;
    }
    Ok(())
}
