//! The change record as an archival PDF.
//!
//! [`ChangeRecord`] is everything an auditor needs, gathered by `crate::archive`;
//! [`render`] lays it out with [`layout`] on printpdf's ops, embeds subset DejaVu Sans and
//! finishes the file, tagged for assistive technology ([`tags`]), as PDF/A-2a and PDF/UA-1
//! with [`archival`]. The same record renders to the same
//! bytes: fonts have fixed resource names, the document ID is derived from the reference and
//! record version, and every date comes from the record.

mod archival;
pub mod layout;
mod tags;
pub mod text;

use app::api::types::{AttachmentView, AuditView, MailView, SignOffView};
use app::domain::cr_form::{Choice, CrForm};
use app::domain::history::{form_field_label, form_fields_in_order, readable};
use app::domain::plan::Plan;
use app::domain::quorum::{Decision, Verdict};
use app::domain::review::{RiskReview, RISKS};
use app::domain::triage::QUESTIONS;
use app::domain::workflow::{TriageAnswers, TriageOutcome};
use chrono::{DateTime, Utc};
use layout::{Column, Writer};
use printpdf::{Mm, PdfDocument, PdfFont, PdfPage, PdfSaveOptions};
use std::sync::OnceLock;
use text::{Face, Fonts};

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The bundled fonts, parsed once per process.
pub fn fonts() -> Result<&'static Fonts, PdfError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some(Fonts { regular: Face::parse("OFCREG", REGULAR_TTF)?, bold: Face::parse("OFCBLD", BOLD_TTF)? })
        })
        .as_ref()
        .ok_or(PdfError::Font)
}

/// Rendering failures (none is expected: they mean a broken build, not bad input).
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The bundled font did not parse.
    #[error("the bundled font could not be read")]
    Font,
    /// lopdf could not write the document.
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// One production step as executed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecutionEntry {
    /// Which step (1-based), or the rollback of one.
    pub step: String,
    /// What it is.
    pub action: String,
    /// started / done / failed / rolled back.
    pub status: String,
    /// When it started and ended, who did it.
    pub times: String,
    /// Notes.
    pub note: String,
}

/// Everything the archival record shows, as of one moment.
#[derive(Clone, Debug, Default)]
pub struct ChangeRecord {
    /// ECR-YYYY-NNNN.
    pub reference: String,
    /// The title.
    pub title: String,
    /// The system changed.
    pub system: String,
    /// The state, in words.
    pub state: String,
    /// Who started the request.
    pub requester: String,
    /// Their team.
    pub team: Option<String>,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// The moment the record shows (its last change); lists hold nothing later.
    pub as_of: DateTime<Utc>,
    /// The row version (bumped by every change).
    pub record_version: i64,
    /// The archive copy number, when this rendering is one.
    pub copy: Option<(i64, String)>,
    /// The responsible hosting engineer.
    pub assigned: Option<String>,
    /// Security-related (ISSO copied).
    pub security_related: bool,
    /// Production was down: outage fast path.
    pub fast_path: bool,
    /// A hold, with its reason.
    pub hold: Option<String>,
    /// The triage answers.
    pub triage: Option<TriageAnswers>,
    /// Plan version number.
    pub plan_version: i64,
    /// Its SHA-256.
    pub plan_hash: String,
    /// The plan.
    pub plan: Plan,
    /// What was changed in staging.
    pub staging_notes: String,
    /// Staging sign-offs.
    pub sign_offs: Vec<SignOffView>,
    /// What the requested window overlaps (other changes on the system, freezes, maintenance
    /// windows): the record as it stands only.
    pub conflicts: Vec<String>,
    /// CR form version.
    pub form_version: i64,
    /// The CR form.
    pub form: CrForm,
    /// Hosting's risk review.
    pub risk_review: Option<RiskReview>,
    /// The plan version submitted to the CORs.
    pub submitted_plan_hash: Option<String>,
    /// Every COR decision.
    pub decisions: Vec<Decision>,
    /// The quorum in words, with its out-of-office basis.
    pub quorum: String,
    /// Out-of-office periods of the CORs that bear on the approval.
    pub absences: Vec<String>,
    /// Every message sent about the request.
    pub messages: Vec<MailView>,
    /// The production execution log.
    pub execution: Vec<ExecutionEntry>,
    /// Post-deployment verification, lessons learned, problems (label, text).
    pub closing: Vec<(String, String)>,
    /// Staging evidence files.
    pub attachments: Vec<AttachmentView>,
    /// The audit trail.
    pub audit: Vec<AuditView>,
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

fn col(title: &'static str, share: f32) -> Column {
    Column { title, share }
}

/// Renders the record to PDF bytes.
pub fn render(r: &ChangeRecord) -> Result<Vec<u8>, PdfError> {
    let fonts = fonts()?;
    let mut w = Writer::new(fonts);
    let copy = match &r.copy {
        Some((n, why)) => format!(" · archive copy {n} ({why})"),
        None => String::new(),
    };
    w.title(&r.title, &format!("Emergency change record {} · {} · {}{copy}", r.reference, r.system, r.state));

    w.heading("Summary");
    w.field("Reference", &r.reference);
    w.field("Title", &r.title);
    w.field("System", &r.system);
    w.field("State", &r.state);
    w.field(
        "Requested by",
        &format!("{}{}", r.requester, r.team.as_ref().map(|t| format!(" ({t})")).unwrap_or_default()),
    );
    w.field("Started", &utc(r.created_at));
    w.field("Hosting engineer", r.assigned.as_deref().unwrap_or("Not assigned"));
    w.field(
        "Security-related",
        &format!("{} (the ISSO is copied on security-related changes)", yes_no(r.security_related)),
    );
    w.field("Outage fast path", yes_no(r.fast_path));
    w.field("Hold", r.hold.as_deref().unwrap_or("None"));
    w.field("Record", &format!("version {} as of {}", r.record_version, utc(r.as_of)));

    w.heading("Triage");
    match &r.triage {
        Some(t) => {
            for q in &QUESTIONS {
                w.field(q.in_record, yes_no(q.of(*t)));
            }
            let decision = match t.outcome() {
                TriageOutcome::OutageFastPath => {
                    "Emergency, outage fast path: straight to hosting, staging sign-off recorded afterwards"
                }
                TriageOutcome::Emergency => "Emergency change: plan, validate in staging, complete the CR form",
                TriageOutcome::RegularChange => {
                    "Not an emergency: a regular change in the next monthly maintenance window"
                }
            };
            w.field("Decision", decision);
        }
        None => w.paragraph("Triage has not been answered."),
    }

    w.heading(&format!("Operation plan (version {})", r.plan_version));
    w.field("Plan SHA-256", &r.plan_hash);
    let minutes: u32 = r.plan.steps.iter().map(|s| s.estimated_minutes).sum();
    w.field("Steps", &format!("{} steps, {minutes} minutes estimated", r.plan.steps.len()));
    if !r.plan.steps.is_empty() {
        w.start_table(vec![
            col("#", 0.05),
            col("Step and commands", 0.29),
            col("Owner", 0.10),
            col("Expected result", 0.16),
            col("Verification", 0.16),
            col("Rollback", 0.16),
            col("Min.", 0.08),
        ]);
        for (i, s) in r.plan.steps.iter().enumerate() {
            let step =
                if s.commands.trim().is_empty() { s.action.clone() } else { format!("{}\n{}", s.action, s.commands) };
            w.table_row(&[
                (i + 1).to_string(),
                step,
                s.owner.clone(),
                s.expected_result.clone(),
                s.verification.clone(),
                s.rollback.clone(),
                s.estimated_minutes.to_string(),
            ]);
        }
        w.end_table();
        let provenance = r.plan.provenance();
        if !provenance.is_empty() {
            w.field_list("Where the steps came from", &provenance, "");
        }
    }

    w.heading("Staging validation");
    w.field("Changes made in staging", &r.staging_notes);
    if r.sign_offs.is_empty() {
        w.paragraph("No staging sign-offs recorded.");
    } else {
        w.start_table(vec![
            col("Sign-off", 0.11),
            col("Signed by", 0.18),
            col("How", 0.2),
            col("When", 0.17),
            col("Evidence", 0.34),
        ]);
        for s in &r.sign_offs {
            w.table_row(&[s.role.label().to_string(), s.signer.clone(), s.how(), utc(s.at), s.evidence.clone()]);
        }
        w.end_table();
        for line in SignOffView::several_capacities(&r.sign_offs) {
            w.paragraph(&line);
        }
    }

    w.heading(&format!("Emergency change request form (version {})", r.form_version));
    for field in form_fields_in_order() {
        w.field(form_field_label(field), &readable(&r.form, field));
    }
    if !r.conflicts.is_empty() {
        w.field_list("Schedule conflicts", &r.conflicts, "");
    }

    w.heading("Hosting risk review");
    match &r.risk_review {
        Some(review) => {
            let risks: Vec<String> = RISKS
                .iter()
                .filter(|(key, _)| review.risks.iter().any(|k| k == key))
                .map(|(_, words)| words.to_string())
                .collect();
            w.field_list("Risks that apply", &risks, "None");
            w.field("How they are handled", &review.notes);
            w.field("Security-related", review.security_related.map_or("", Choice::key));
            w.field("Why", &review.reason);
        }
        None => w.paragraph("The hosting team has not recorded a risk review."),
    }

    w.heading("Approvals");
    w.field("Plan version submitted", r.submitted_plan_hash.as_deref().unwrap_or("Not submitted to the CORs"));
    w.field("Quorum", &r.quorum);
    w.field_list("Out of office", &r.absences, "No COR absence recorded");
    if !r.decisions.is_empty() {
        w.start_table(vec![
            col("Decided by", 0.2),
            col("Decision", 0.34),
            col("Plan version", 0.18),
            col("When", 0.28),
        ]);
        for d in &r.decisions {
            let verdict = match &d.verdict {
                Verdict::Approve => "Approved".to_string(),
                Verdict::Reject(reason) => format!("Rejected: {reason}"),
            };
            let by = if d.on_escalation { format!("{} (admin, on escalation)", d.name) } else { d.name.clone() };
            w.table_row(&[by, verdict, d.plan_hash.short().to_string(), utc(d.at)]);
        }
        w.end_table();
    }

    w.heading("Messages sent");
    if r.messages.is_empty() {
        w.paragraph("No messages.");
    } else {
        w.start_table(vec![
            col("Queued", 0.17),
            col("Subject", 0.27),
            col("To", 0.2),
            col("CC", 0.2),
            col("Delivered", 0.16),
        ]);
        for m in &r.messages {
            let delivered = match m.sent_at {
                Some(t) => utc(t),
                None if m.gave_up => "Not delivered".to_string(),
                None => "Waiting".to_string(),
            };
            w.table_row(&[utc(m.created_at), m.subject.clone(), m.to.join("\n"), m.cc.join("\n"), delivered]);
        }
        w.end_table();
    }

    w.heading("Production execution log");
    if r.execution.is_empty() {
        w.paragraph("No production work recorded.");
    } else {
        w.start_table(vec![
            col("Step", 0.08),
            col("What", 0.3),
            col("Status", 0.12),
            col("Times and who", 0.26),
            col("Notes", 0.24),
        ]);
        for e in &r.execution {
            w.table_row(&[e.step.clone(), e.action.clone(), e.status.clone(), e.times.clone(), e.note.clone()]);
        }
        w.end_table();
    }

    w.heading("Verification and lessons learned");
    if r.closing.is_empty() {
        w.paragraph("Nothing recorded yet.");
    }
    for (label, text) in &r.closing {
        w.field(label, text);
    }

    w.heading("Attachments");
    if r.attachments.is_empty() {
        w.paragraph("No attachments.");
    } else {
        w.start_table(vec![
            col("File", 0.24),
            col("Type", 0.14),
            col("Bytes", 0.1),
            col("SHA-256", 0.36),
            col("Uploaded by", 0.16),
        ]);
        for a in &r.attachments {
            w.table_row(&[
                a.file_name.clone(),
                a.media_type.clone(),
                a.size_bytes.to_string(),
                a.sha256.clone(),
                a.uploaded_by.clone(),
            ]);
        }
        w.end_table();
    }

    w.heading("Audit trail");
    if r.audit.is_empty() {
        w.paragraph("No events.");
    } else {
        w.start_table(vec![
            col("#", 0.07),
            col("When", 0.18),
            col("Who", 0.15),
            col("Action", 0.17),
            col("Detail", 0.33),
            col("Outcome", 0.1),
        ]);
        for e in &r.audit {
            w.table_row(&[
                e.id.to_string(),
                utc(e.at),
                e.actor.clone(),
                e.action.clone(),
                e.detail.clone(),
                e.outcome.clone(),
            ]);
        }
        w.end_table();
    }

    let (pages, tags) = w.finish(
        &format!("{} · {}", r.reference, r.title),
        &r.state,
        &format!("Offcycle · record version {} as of {}{copy}", r.record_version, utc(r.as_of)),
    );

    let mut doc = PdfDocument::new(&r.title);
    for face in [&fonts.regular, &fonts.bold] {
        doc.resources.fonts.map.insert(face.id.clone(), PdfFont::new(face.font.clone()));
    }
    let (width, height) = (Mm(layout::PAGE_WIDTH * 25.4 / 72.0), Mm(layout::PAGE_HEIGHT * 25.4 / 72.0));
    doc.pages = pages.into_iter().map(|ops| PdfPage::new(width, height, ops)).collect();
    let opts = PdfSaveOptions { optimize: true, subset_fonts: true, secure: true, image_optimization: None };
    let mut warnings = Vec::new();
    let lo = doc.to_lopdf_document(&opts, &mut warnings);
    archival::finish(lo, &tags, &archival::Metadata::of(r))
}
