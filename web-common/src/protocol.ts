// Generated from crates/congress-proto by `cargo test -p congress-proto` (UPDATE_BINDINGS=1 rewrites it). Do not edit.

export type Millis = number;

export type Role = "delegate" | "presidium" | "secretariat" | "credentials";

export type OperatorRole = "admin" | "secretariat" | "credentials" | "observer";

export type QuorumRule = { numerator: number, denominator: number, };

export type QuorumState = { rule: QuorumRule, present: number, convened: number, 
/**
 * The smallest number present that makes the quorum.
 */
required: number, reached: boolean, };

export type Congress = { name: string, venue: string, 
/**
 * ISO date, e.g. `2026-12-01`.
 */
starts_on: string, ends_on: string, 
/**
 * Delegates convened: the basis of the quorum (may differ from the number on the list).
 */
convened: number, quorum: QuorumRule, };

export type Delegate = { id: string, 
/**
 * Exactly as written on the credentials, diacritics and script preserved.
 */
full_name: string, 
/**
 * Unit or delegation the delegate represents.
 */
unit: string, seat: string, 
/**
 * Discussion group.
 */
group: string, roles: Array<Role>, };

export type AttendanceStatus = "absent" | "present" | "left";

export type AttendanceSource = { "kind": "operator", username: string, } | { "kind": "kiosk", device_id: string, distance: number, margin: number, };

export type AttendanceRecord = { delegate_id: string, status: AttendanceStatus, at: number, source: AttendanceSource, 
/**
 * Required for manual changes.
 */
reason: string | null, };

export type AttendanceSummary = { present: number, left: number, absent: number, 
/**
 * Delegates on the list.
 */
listed: number, quorum: QuorumState, };

export type AgendaItem = { id: string, title: string, 
/**
 * Local time, e.g. `2026-12-01T08:00`.
 */
planned_start: string | null, planned_minutes: number | null, };

export type Agenda = { items: Array<AgendaItem>, 
/**
 * The item under discussion now.
 */
current: string | null, };

export type DeviceKind = "tablet" | "kiosk" | "projector";

export type KioskDirection = "entrance" | "exit";

export type Device = { id: string, kind: DeviceKind, label: string, 
/**
 * The delegate a tablet belongs to.
 */
delegate_id: string | null, 
/**
 * A kiosk's direction.
 */
direction: KioskDirection | null, 
/**
 * A tablet's age X25519 recipient (`age1…`): documents are encrypted to it.
 */
recipient: string | null, 
/**
 * A tablet's Ed25519 voting credential (hex public key): it signs the tablet's secret
 * ballots and, for a counting board member, its key-ceremony messages.
 */
credential?: string, 
/**
 * The operator who made the pairing code (pairings since issue 13, finding 7): marking
 * present at the desk and pairing a tablet for one delegate take two operators.
 */
code_by?: string, paired_at: number, 
/**
 * Unpaired devices keep their record but their token no longer works.
 */
revoked: boolean, };

export type OperatorInfo = { username: string, display_name: string, roles: Array<OperatorRole>, };

export type JournalHead = { seq: number, 
/**
 * Hex SHA-256 of the last event.
 */
hash: string, };

export type WitnessRequest = { heads: Array<JournalHead>, };

export type WitnessedHead = { seq: number, 
/**
 * The hash the device saw.
 */
hash: string, 
/**
 * The journal's hash at `seq`; `null` when the journal ends before `seq` (truncated).
 */
server_hash: string | null, 
/**
 * Whether both are the same. A device compares `hash` and `server_hash` itself too.
 */
matches: boolean, };

export type WitnessAnswer = { 
/**
 * In the order asked.
 */
heads: Array<WitnessedHead>, 
/**
 * Every head matches.
 */
ok: boolean, };

export type ApiError = { 
/**
 * Stable code, e.g. `unauthorized`, `forbidden`, `not_found`, `invalid`, `conflict`.
 */
error: string, message: string, };

export type LoginRequest = { username: string, password: string, };

export type LoginResponse = { 
/**
 * Bearer token for `Authorization: Bearer …` and the websocket `hello`.
 */
token: string, operator: OperatorInfo, expires_at: number, };

export type SetAttendanceRequest = { client_id: string, delegate_id: string, status: AttendanceStatus, 
/**
 * Why the change was made by hand (required, e.g. "face not recognised, ID checked").
 */
reason: string, };

export type AttendanceAck = { client_id: string, 
/**
 * Journal sequence number of the change.
 */
seq: number, record: AttendanceRecord, summary: AttendanceSummary, 
/**
 * False when the delegate already had this status (nothing changed, nothing journalled).
 */
changed: boolean, };

export type AttendanceList = { summary: AttendanceSummary, 
/**
 * Latest record per delegate who has one; delegates without one are absent.
 */
records: Array<AttendanceRecord>, };

export type CreatePairingCode = { kind: DeviceKind, 
/**
 * Required for a tablet: whose tablet it is.
 */
delegate_id: string | null, 
/**
 * Shown in the console's device list, e.g. "Kiosk cổng A".
 */
label: string | null, 
/**
 * For a kiosk; entrance by default.
 */
direction: KioskDirection | null, };

export type PairingCode = { 
/**
 * Eight digits, single use.
 */
code: string, kind: DeviceKind, delegate_id: string | null, expires_at: number, };

export type PairRequest = { code: string, 
/**
 * A tablet's age X25519 recipient (`age1…`), generated on the tablet.
 */
recipient: string | null, 
/**
 * A tablet's Ed25519 voting credential (64 hex characters), generated on the tablet; only
 * the public key leaves it. Left out when absent, so a client of today still pairs with a
 * server from before credentials (the benches' older builds).
 */
credential?: string, };

export type PairResponse = { 
/**
 * The device's long-lived token; keep it on the device.
 */
device_token: string, device: Device, };

export type SetCurrentItem = { client_id: string, 
/**
 * `null` clears the current item.
 */
item_id: string | null, };

export type AgendaAck = { client_id: string, seq: number, agenda: Agenda, };

export type Me = { "kind": "operator", operator: OperatorInfo, } | { "kind": "device", device: Device, delegate: Delegate | null, };

export type ClientKind = "console" | "projector" | "tablet" | "kiosk";

export type ClientMsg = { "type": "hello", 
/**
 * Operator session token or device token.
 */
token: string, 
/**
 * The last `seq` this client saw, to resume without loss or duplication.
 */
resume_from: number | null, 
/**
 * Must equal the server's `PROTOCOL_VERSION`.
 */
protocol: number, } | { "type": "ping", nonce: number, } | { "type": "cast_ballot", 
/**
 * Random, 16 to 100 characters, chosen by the tablet once per ballot; a retry reuses it.
 */
client_id: string, vote_id: number, choice: BallotChoice, } | { "type": "read_notice", client_id: string, notice_id: number, } | { "type": "send_opinion", client_id: string, item_id: string, text: string, } | { "type": "save_summary", client_id: string, item_id: string, text: string, submit: boolean, } | { "type": "request_speak", client_id: string, item_id: string, kind: SpeakerKind, } | { "type": "withdraw_speak", client_id: string, request_id: number, } | { "type": "cast_secret_ballot", 
/**
 * Random, 16 to 100 characters, chosen by the tablet once per ballot; a retry reuses it.
 */
client_id: string, vote_id: number, ballot: string, } | { "type": "board_deal", client_id: string, dealer: string, shares: Array<SealedShare>, } | { "type": "board_check", client_id: string, complaints: Array<string>, } | { "type": "submit_partial", client_id: string, vote_id: number, partial: string, } | { "type": "nominate", client_id: string, election_id: number, delegate_id: string | null, } | { "type": "answer_nomination", client_id: string, election_id: number, candidate_id: number, consent: boolean, } | { "type": "ask_withdrawal", client_id: string, election_id: number, candidate_id: number, reason: string, } | { "type": "sign_tally_report", client_id: string, vote_id: number, report_sha256: string, };

export type ServerMsg = { "type": "welcome", kind: ClientKind, 
/**
 * Journal head when the connection was accepted.
 */
head_seq: number, protocol: number, } | { "type": "snapshot", seq: number, snapshot: Snapshot, } | { "type": "push", seq: number, push: Push, } | { "type": "resumed", from: number, to: number, } | { "type": "pong", nonce: number, } | { "type": "error", error: string, message: string, fatal: boolean, } | { "type": "face_result", frame: number, width: number, height: number, boxes: Array<FaceBoxMsg>, result: FaceStatus, 
/**
 * Server time spent on the frame, in milliseconds.
 */
ms: number, } | { "type": "kiosk_refusal", refusal: KioskRefusal, } | { "type": "security_alarm", alarm: SecurityAlarm, } | { "type": "ballot_ack", ack: BallotAck, } | { "type": "ballot_refused", client_id: string, vote_id: number, error: string, message: string, } | { "type": "vote_live", live: VoteLive, } | { "type": "acked", client_id: string, seq: number, } | { "type": "refused", client_id: string, error: string, message: string, } | { "type": "speak_ack", ack: SpeakAck, } | { "type": "speak_refused", client_id: string, error: string, message: string, };

export type SecurityAlarm = { 
/**
 * Stable key: `pairing_guesses` (pairing is paused for everyone while it lasts),
 * `journal_rewritten` (a device's witnessed journal head does not match the journal).
 */
kind: string, 
/**
 * English explanation with the figures.
 */
message: string, 
/**
 * Server time (ms since the epoch).
 */
at: number, };

export type Snapshot = { congress: Congress, agenda: Agenda, attendance: AttendanceSummary, 
/**
 * On a tablet: its delegate.
 */
me: Delegate | null, 
/**
 * On a tablet: its delegate's own attendance.
 */
my_attendance: AttendanceRecord | null, journal: JournalHead, 
/**
 * Votes this client may see (tablets: not drafts).
 */
votes: Array<VoteInfo>, 
/**
 * On a tablet: the notices addressed to its delegate, oldest first.
 */
notices: Array<Notice>, 
/**
 * On a tablet: the ids of those its delegate has read.
 */
notices_read: Array<number>, 
/**
 * Agenda control, speakers and the projector's scene.
 */
meeting: MeetingView, 
/**
 * Bodies, elections, report sign-offs.
 */
procedures: ProceduresView, };

export type Push = { "kind": "attendance", record: AttendanceRecord, summary: AttendanceSummary, } | { "kind": "agenda", agenda: Agenda, } | { "kind": "delegates", listed: number, } | { "kind": "device", device: Device, } | { "kind": "document", document: Document, } | { "kind": "vote", vote: VoteInfo, } | { "kind": "notice", notice: Notice, } | { "kind": "notice_read", receipt: NoticeReceipt, } | { "kind": "opinion", opinion: Opinion, } | { "kind": "group_summary", summary: GroupSummary, } | { "kind": "group_secretary", group: string, secretary: string | null, } | { "kind": "board", board: BoardView, } | { "kind": "ballot_rejected", vote_id: number, tracker: string, reason: string, } | { "kind": "meeting", meeting: MeetingView, } | { "kind": "procedures", procedures: ProceduresView, } | { "kind": "credentials", records: Array<CredentialInfo>, summary: AttendanceSummary, };

export type DocAudience = { "kind": "all_delegates" } | { "kind": "presidium" } | { "kind": "group", group: string, };

export type DocDelivery = { 
/**
 * Ciphertext size in bytes.
 */
size: number, 
/**
 * Strong ETag of the ciphertext (quotes included).
 */
etag: string, 
/**
 * The tablets (device ids) whose recipients it is encrypted to.
 */
devices: Array<string>, at: number, };

export type DocVersion = { version: number, 
/**
 * Display file name (sanitised).
 */
file_name: string, 
/**
 * Plaintext size in bytes.
 */
size: number, pages: number, 
/**
 * Pages whose text differs from the previous version (None for the first version).
 */
changed_pages: number | null, uploaded_at: number, uploaded_by: string, 
/**
 * None until the delivery copy is made.
 */
delivery: DocDelivery | null, 
/**
 * When the content was deleted under the retention rules (metadata stays; downloads
 * answer 410 Gone).
 */
purged_at: number | null, };

export type Document = { id: number, title: string, agenda_item_id: string | null, audience: DocAudience, versions: Array<DocVersion>, };

export type DocFetch = { document_id: number, version: number, device_id: string, at: number, };

export type DocumentAdmin = { document: Document, fetches: Array<DocFetch>, };

export type UploadAck = { seq: number, document: Document, };

export type UpdateDocument = { title: string, agenda_item_id: string | null, audience: DocAudience, };

export type SnippetPart = { text: string, highlight: boolean, };

export type SearchHit = { document_id: number, title: string, version: number, page: number, snippet: Array<SnippetPart>, };

export type SearchResults = { query: string, hits: Array<SearchHit>, };

export type FaceBoxMsg = { x: number, y: number, w: number, h: number, 
/**
 * The face the decision is about (largest, most central).
 */
chosen: boolean, };

export type FaceStatus = { "status": "no_face" } | { "status": "several_faces", count: number, } | { "status": "low_quality", reason: string, message: string, } | { "status": "looking" } | { "status": "recognized", delegate_id: string, full_name: string, seat: string, group: string, at: number, already: boolean, direction: KioskDirection, } | { "status": "unknown" } | { "status": "busy" } | { "status": "rate_limited" } | { "status": "bad_frame", error: string, message: string, } | { "status": "unavailable" } | { "status": "challenge", prompt: string, side: string, remaining_ms: number, } | { "status": "refused", reason: string, message: string, };

export type EnrolRequest = { client_id: string, captures: Array<string>, };

export type CaptureOutcome = { 
/**
 * `ok`, `no_face`, `several_faces`, `low_quality`, `bad_image`.
 */
outcome: string, 
/**
 * Stable message key (for translation).
 */
key: string, 
/**
 * English explanation.
 */
message: string, };

export type EnrolResponse = { delegate_id: string, 
/**
 * Whether the delegate is now enrolled with these captures (a previous enrolment is
 * replaced only when at least one capture was good).
 */
enrolled: boolean, used: number, captures: Array<CaptureOutcome>, };

export type KioskInfo = { device_id: string, label: string, direction: KioskDirection, connected: boolean, 
/**
 * Frames received per second over the last few seconds.
 */
fps: number, 
/**
 * `status` of the last answer.
 */
last_result: string | null, last_at: number | null, };

export type RecentCheckIn = { delegate_id: string, full_name: string, device_id: string, at: number, distance: number, margin: number, already: boolean, 
/**
 * Whether `GET /api/delegates/{id}/photo` has a thumbnail.
 */
has_photo: boolean, };

export type KioskRefusal = { device_id: string, label: string, at: number, 
/**
 * Stable message key (`face.pad.spoof.*`).
 */
reason: string, 
/**
 * English explanation with the measured values.
 */
message: string, 
/**
 * The enrolled delegate the face matched, if it matched one (the photo's subject).
 */
delegate_id: string | null, full_name: string | null, };

export type FaceOverview = { enabled: boolean, enrolled: number, enrolled_ids: Array<string>, threshold: number, margin: number, kiosks: Array<KioskInfo>, recent: Array<RecentCheckIn>, 
/**
 * Recent presentations refused by the liveness check, newest first.
 */
refused: Array<KioskRefusal>, };

export type VoteId = number;

export type OptionId = number;

export type VoteOption = { 
/**
 * What ballots refer to; unique within the vote.
 */
id: OptionId, 
/**
 * What the tablet and the projector print, in the congress's language. Not used by the rules.
 */
label: string, };

export type VoteKind = { "kind": "motion" } | { "kind": "choice", 
/**
 * The options in ballot order (the order the tablet shows them). At least two.
 */
options: Array<VoteOption>, } | { "kind": "election", 
/**
 * How many are to be elected; a ballot keeping more names than this is invalid.
 */
seats: number, 
/**
 * The candidates in ballot order (usually alphabetical). May be fewer than `seats`:
 * the seats that cannot be filled are reported as unfilled.
 */
candidates: Array<VoteOption>, };

export type KindName = "motion" | "choice" | "election";

export type Secrecy = "open" | "secret";

export type Threshold = { "type": "more_than_half" } | { "type": "at_least_two_thirds" } | { "type": "at_least_fraction", 
/**
 * Numerator of the share.
 */
num: number, 
/**
 * Denominator of the share; not zero.
 */
den: number, } | { "type": "plurality" };

export type Basis = "valid_ballots_cast" | "delegates_present" | "delegates_convened";

export type MajorityRule = { 
/**
 * How large a share is needed.
 */
threshold: Threshold, 
/**
 * What it is a share of.
 */
basis: Basis, };

export type TurnoutRule = { 
/**
 * How large a share of the basis must cast a ballot.
 */
threshold: Threshold, 
/**
 * `delegates_present` or `delegates_convened` (`valid_ballots_cast` is refused).
 */
basis: Basis, };

export type TurnoutCheck = { 
/**
 * The rule applied.
 */
rule: TurnoutRule, 
/**
 * Ballots cast (valid and invalid).
 */
cast: number, 
/**
 * Delegates present at the close (the ballots issued).
 */
present: number, 
/**
 * Delegates convened at the close.
 */
convened: number, 
/**
 * The fewest ballots the rule needed.
 */
needed: number, 
/**
 * Whether `cast` met the rule.
 */
met: boolean, };

export type VoteSpec = { 
/**
 * Which vote; ballots name it, so a ballot for another vote is never counted here.
 */
id: VoteId, 
/**
 * The question as shown on the tablets and the projector. Not used by the rules.
 */
title: string, 
/**
 * What is being decided and what a ballot may say.
 */
kind: VoteKind, 
/**
 * Whether who voted what may be shown.
 */
secrecy: Secrecy, 
/**
 * The majority needed, adopted by the congress for this vote.
 */
rule: MajorityRule, 
/**
 * Whether a delegate may replace their ballot before the close (the operator decides per
 * vote). When false a second ballot is refused.
 */
allow_change: boolean, 
/**
 * Whether the tally may be shown while the vote is open. Off by default, because a growing
 * tally can sway those who have not voted yet; turnout is always shown.
 */
show_running_tally: boolean, 
/**
 * The vote whose tie or missing majority this one settles, so screens can say "runoff".
 */
runoff_of: VoteId | null, 
/**
 * A secret vote whose ballots are encrypted on the tablets to the counting board's key
 * (`docs/ballot-crypto.md`). Every secret vote created once the board's key exists is.
 */
encrypted?: boolean, 
/**
 * How many ballots must be cast for a result to be declared at all. Votes created before
 * this existed have none (and keep their stored results).
 */
turnout?: TurnoutRule, };

export type MotionPosition = "for" | "against" | "abstain";

export type BallotChoice = { "kind": "motion", 
/**
 * For, against or abstain.
 */
position: MotionPosition, } | { "kind": "choice", 
/**
 * The option chosen.
 */
option: OptionId, } | { "kind": "election", 
/**
 * The candidates kept, each at most once, in any order.
 */
kept: Array<OptionId>, } | { "kind": "blank" };

export type BallotCounts = { 
/**
 * Every ballot recorded: `valid + invalid`.
 */
cast: number, 
/**
 * Ballots that count in the basis "valid ballots cast"; includes blank ones and election
 * ballots striking everyone.
 */
valid: number, 
/**
 * Spoiled ballots (election ballots keeping too many names): cast, but never counted.
 */
invalid: number, 
/**
 * Blank ballots (part of `valid`).
 */
blank: number, 
/**
 * Election ballots that strike every name (part of `valid`, not blank: the delegate marked
 * the list).
 */
struck_all: number, };

export type MotionCounts = { 
/**
 * Ballots for; only these count towards adoption.
 */
for: number, 
/**
 * Ballots against.
 */
against: number, 
/**
 * Abstentions (blank ballots are counted apart, in [`BallotCounts::blank`]).
 */
abstain: number, };

export type OptionCount = { 
/**
 * The option or candidate.
 */
option: OptionId, 
/**
 * Valid ballots choosing the option, or keeping the candidate's name.
 */
votes: number, };

export type VoteCounts = { "kind": "motion" } & MotionCounts | { "kind": "options", 
/**
 * Votes per option, in ballot order.
 */
options: Array<OptionCount>, };

export type SeatTie = { 
/**
 * The candidates with equal votes competing for the last seats, in ballot order.
 */
tied: Array<OptionId>, 
/**
 * How many seats they compete for (fewer than `tied.len()`).
 */
seats_left: number, };

export type ElectionOutcome = { 
/**
 * Elected, most votes first (equal votes in ballot order).
 */
elected: Array<OptionId>, 
/**
 * A tie for the last seat(s), if any; those seats are neither filled nor unfilled yet.
 */
tie_for_last_seat: SeatTie | null, 
/**
 * Met the threshold but had fewer votes than those elected or tied, most votes first.
 */
outranked: Array<OptionId>, 
/**
 * Did not meet the threshold (or, under plurality, had no vote at all), in ballot order.
 */
failed_threshold: Array<OptionId>, 
/**
 * Seats no candidate could fill because too few met the threshold (or too few stood).
 */
unfilled_seats: number, };

export type Outcome = { "outcome": "adopted" } | { "outcome": "rejected" } | { "outcome": "winner", 
/**
 * The option chosen.
 */
option: OptionId, } | { "outcome": "tie_for_first", 
/**
 * The options tied, in ballot order.
 */
tied: Array<OptionId>, } | { "outcome": "no_majority" } | { "outcome": "election" } & ElectionOutcome | { "outcome": "insufficient_turnout" };

export type VoteResult = { 
/**
 * The vote counted.
 */
vote: VoteId, 
/**
 * Its kind.
 */
kind: KindName, 
/**
 * The rule applied.
 */
rule: MajorityRule, 
/**
 * Ballots by status.
 */
ballots: BallotCounts, 
/**
 * Votes by position or option.
 */
counts: VoteCounts, 
/**
 * The size of the basis the threshold was applied to.
 */
basis_value: number, 
/**
 * The fewest votes that met the threshold; `None` under plurality.
 */
votes_needed: number | null, 
/**
 * What was decided.
 */
outcome: Outcome, 
/**
 * The turnout against the vote's turnout rule, with the attendance at the close (votes
 * without a turnout rule have none).
 */
turnout?: TurnoutCheck, };

export type VotePhase = { "state": "draft" } | { "state": "open", opened_at: number, closes_at: number | null, } | { "state": "closed", opened_at: number, closed_at: number, };

export type VoteInfo = { spec: VoteSpec, phase: VotePhase, duration_s: number | null, 
/**
 * Ballots cast so far.
 */
cast: number, 
/**
 * The result, once closed.
 */
result: VoteResult | null, 
/**
 * On a tablet: whether its delegate has voted.
 */
voted: boolean | null, 
/**
 * On a tablet, open votes only: its delegate's receipt (a secret vote's receipt is known
 * only to the tablet that cast it).
 */
my_receipt: string | null, 
/**
 * An encrypted secret vote: what a tablet encrypts to, and the decryption's progress.
 */
encryption?: VoteEncryption, };

export type VoteLive = { vote_id: number, cast: number, present: number, 
/**
 * When the vote shows its running tally.
 */
counts: VoteCounts | null, 
/**
 * Operators only, open (non-secret) votes only: delegates present who have not voted.
 */
not_voted: Array<string> | null, };

export type CreateVote = { client_id: string, title: string, kind: VoteKind, secrecy: Secrecy, 
/**
 * Defaults to more than half of the valid ballots cast.
 */
rule: MajorityRule | null, allow_change: boolean, show_running_tally: boolean, duration_s: number | null, 
/**
 * The fewest ballots for a result to be declared; defaults to more than half of the
 * delegates present ([`TurnoutRule::MORE_THAN_HALF_OF_PRESENT`]).
 * Left out when absent (a server from before turnout rules refuses the field).
 */
turnout?: TurnoutRule, };

export type VoteAction = { client_id: string, };

export type PublishedBallot = { receipt: string, choice: BallotChoice, 
/**
 * `valid`, `blank`, `struck_all` (an election ballot keeping no name: valid, counted apart)
 * or `invalid`.
 */
status: string, delegate_id: string | null, };

export type VoteExport = { vote: VoteInfo, ballots: Array<PublishedBallot>, 
/**
 * Delegates who voted (sorted by id; in a secret vote this list is not linked to ballots).
 */
voters: Array<string>, };

export type BallotAck = { client_id: string, vote_id: number, receipt: string, 
/**
 * An encrypted ballot's tracker (SHA-256 of its bytes, hex): find it on the bulletin board.
 */
tracker?: string, };

export type BoardPhase = { "phase": "dealing" } | { "phase": "checking" } | { "phase": "ready" } | { "phase": "failed", reason: string, };

export type BoardMember = { 
/**
 * 1..=n: the member's index in the secret sharing.
 */
index: number, delegate_id: string, full_name: string, 
/**
 * The member tablet's Ed25519 key (hex): it signs the member's ceremony messages.
 */
key: string, 
/**
 * The age X25519 recipient (`age1…`) of the member's tablet (the one holding `key`):
 * the other members seal the shares they deal to it.
 */
recipient?: string, 
/**
 * The member has published its commitments and dealt its shares.
 */
dealt: boolean, 
/**
 * The member checked the shares it received (or complained).
 */
checked: boolean, };

export type BoardView = { 
/**
 * New for every run of the ceremony.
 */
board_id: string, 
/**
 * Members needed to decrypt.
 */
threshold: number, members: Array<BoardMember>, phase: BoardPhase, 
/**
 * The joint public key (hex), once ready.
 */
joint_key: string | null, 
/**
 * Dealers excluded by a valid complaint or a bad message.
 */
excluded: Array<number>, };

export type DefineBoard = { client_id: string, 
/**
 * Delegate ids, in the order that gives their indices 1..=n. Each needs a paired tablet.
 */
members: Array<string>, threshold: number, };

export type SealedShare = { 
/**
 * The dealer's index (in what a member receives) or the recipient's (in what it deals).
 */
member: number, age: string, };

export type BoardTranscript = { board: BoardView, 
/**
 * `congress_ballot::BoardSetup` as JSON.
 */
setup: string, 
/**
 * `congress_ballot::DkgTranscript` as JSON.
 */
transcript: string, 
/**
 * The caller's index when it is a member's tablet.
 */
my_index: number | null, 
/**
 * The shares dealt to the caller (a member's tablet), one per dealer.
 */
my_shares: Array<SealedShare>, };

export type VoteEncryption = { 
/**
 * `congress_ballot::BoardSetup` as JSON.
 */
setup: string, 
/**
 * The joint public key (hex).
 */
joint_key: string, 
/**
 * The vote's id in the ballot protocol (e.g. `hall/board-1/vote-12`).
 */
vote_key: string, 
/**
 * Slots: the options in order, then `blank`.
 */
options: number, blank: boolean, min: number, max: number, 
/**
 * After the close: the encrypted tally (`[{alpha, beta}]` JSON) the members decrypt.
 */
tally: string | null, 
/**
 * Members whose partial decryption was accepted.
 */
decrypted_by: Array<number>, 
/**
 * Ballots counted in the tally (every one verified).
 */
counted: number | null, };

export type NoticeAudience = { "kind": "all" } | { "kind": "group", group: string, } | { "kind": "delegate", delegate_id: string, };

export type Notice = { id: number, 
/**
 * Verbatim; shown as text.
 */
text: string, audience: NoticeAudience, at: number, 
/**
 * The operator who sent it.
 */
by: string, };

export type SendNotice = { client_id: string, text: string, audience: NoticeAudience, };

export type NoticeAck = { seq: number, notice: Notice, };

export type NoticeReceipt = { notice_id: number, delegate_id: string, at: number, };

export type NoticeStatus = { notice: Notice, 
/**
 * Delegates the notice is addressed to (group membership as of now).
 */
recipients: number, read: number, 
/**
 * Addressed delegates who have not read it yet (ids).
 */
unread: Array<string>, };

export type Opinion = { group: string, item_id: string, delegate_id: string, text: string, at: number, };

export type GroupSummary = { group: string, item_id: string, text: string, 
/**
 * The secretary (delegate id) who wrote it last.
 */
by: string, at: number, 
/**
 * When it was submitted; after that neither it nor the opinions change.
 */
submitted_at: number | null, };

export type GroupInfo = { group: string, members: number, present: number, 
/**
 * The secretary's delegate id.
 */
secretary: string | null, };

export type SetSecretary = { client_id: string, group: string, delegate_id: string | null, };

export type GroupMember = { id: string, full_name: string, present: boolean, };

export type MyGroup = { group: string, secretary: GroupMember | null, is_secretary: boolean, 
/**
 * The members (secretary only; empty for the others).
 */
members: Array<GroupMember>, opinions: Array<Opinion>, 
/**
 * Submitted summaries, and for the secretary the drafts too.
 */
summaries: Array<GroupSummary>, };

export type GroupsOverview = { groups: Array<GroupInfo>, 
/**
 * Submitted summaries of every group, every item.
 */
summaries: Array<GroupSummary>, };

export type ItemStatus = "pending" | "in_progress" | "done";

export type SpeakerKind = "normal" | "reply" | "point_of_order";

export type SpeakerRequest = { 
/**
 * Numbered by the server, never reused.
 */
request_id: number, item_id: string, delegate_id: string, kind: SpeakerKind, requested_at: number, 
/**
 * Who asked: `tablet` or `operator:NAME` (on the delegate's behalf).
 */
by: string, };

export type Speaking = { request_id: number, item_id: string, delegate_id: string, kind: SpeakerKind, started_at: number, 
/**
 * Speaking time allowed, in seconds (extensions included).
 */
limit_s: number, };

export type ProjectorScene = { "scene": "agenda" } | { "scene": "speaker" } | { "scene": "vote" } | { "scene": "result" } | { "scene": "quorum" } | { "scene": "notice", text: string, } | { "scene": "candidates", election_id: number, } | { "scene": "tally_report", vote_id: number, } | { "scene": "credentials_report" };

export type ItemRun = { item_id: string, status: ItemStatus, 
/**
 * When the item was first started.
 */
started_at: number | null, 
/**
 * When the item was closed (if it is done).
 */
closed_at: number | null, 
/**
 * The default speaking time on this item, in seconds (else the meeting's default).
 */
speaker_limit_s: number | null, 
/**
 * Votes linked to this item.
 */
votes: Array<number>, 
/**
 * Documents on this item.
 */
documents: Array<number>, };

export type Person = { full_name: string, unit: string, };

export type MeetingView = { 
/**
 * One per agenda item, in agenda order.
 */
items: Array<ItemRun>, 
/**
 * The current item when this view was made. `Push::Agenda` (for example from
 * `PUT /api/agenda/current`) may change it later: clients take the agenda's `current`
 * as the truth and use it to pick the queue and the item in progress.
 */
current: string | null, 
/**
 * Every waiting request, per item in speaking order (the current item's first); a
 * client shows those whose `item_id` is the current item.
 */
queues: Array<SpeakerRequest>, speaking: Speaking | null, 
/**
 * Name and unit of every delegate in `queues` and `speaking` (projectors and tablets may not
 * read the delegate list).
 */
people: { [key in string]: Person }, scene: ProjectorScene, 
/**
 * Speaking time when neither the item nor the grant says otherwise, in seconds.
 */
default_limit_s: number, 
/**
 * Server time when this view was made: clients use it to correct their clock for the
 * countdown.
 */
server_now: number, };

export type MeetingAction = { client_id: string, };

export type PlanItem = { client_id: string, 
/**
 * Local time, e.g. `2026-12-01T08:00`.
 */
planned_start: string | null, planned_minutes: number | null, speaker_limit_s: number | null, };

export type LinkVote = { client_id: string, item_id: string | null, };

export type AddSpeaker = { client_id: string, delegate_id: string, item_id: string, kind: SpeakerKind, };

export type GrantFloor = { client_id: string, 
/**
 * This speaker's time in seconds; else the item's or the meeting's default.
 */
limit_s: number | null, };

export type MoveSpeaker = { client_id: string, position: number, };

export type ExtendSpeaker = { client_id: string, seconds: number, };

export type SetScene = { client_id: string, scene: ProjectorScene, };

export type MeetingAck = { client_id: string, seq: number, meeting: MeetingView, };

export type SpeakAck = { client_id: string, request_id: number, item_id: string, 
/**
 * Place in the queue (1 = next), or `null` after a withdrawal.
 */
position: number | null, };

export type AddAgendaItem = { client_id: string, 
/**
 * A new item id; the server makes one (`N1`, `N2`, …) when `null`.
 */
id: string | null, title: string, 
/**
 * Where it goes (0 = first); at the end when `null`.
 */
position: number | null, planned_minutes: number | null, reason: string, };

export type MoveAgendaItem = { client_id: string, position: number, reason: string, };

export type RenameAgendaItem = { client_id: string, title: string, reason: string, };

export type CredentialStatus = "pending" | "recognised" | "contested" | "not_recognised" | "replaced";

export type Composition = { gender: string | null, age_band: string | null, ethnicity: string | null, 
/**
 * E.g. the level of the unit (province, district, commune).
 */
level: string | null, sector: string | null, };

export type DelegateComposition = { delegate_id: string, composition: Composition, };

export type CredentialInfo = { delegate_id: string, status: CredentialStatus, 
/**
 * Why (required for every decision).
 */
reason: string | null, 
/**
 * `operator:NAME` who recorded the decision.
 */
decided_by: string | null, decided_at: number | null, 
/**
 * The substitute who took this delegate's seat.
 */
replaced_by: string | null, 
/**
 * For a substitute: whose seat they took.
 */
substitute_for: string | null, composition: Composition, };

export type DecideCredentials = { client_id: string, 
/**
 * 1 to 2,000 delegate ids.
 */
delegate_ids: Array<string>, 
/**
 * `recognised`, `contested` or `not_recognised` (a substitute is seated with
 * `POST /api/credentials/substitute`).
 */
status: CredentialStatus, reason: string, };

export type NewSubstitute = { 
/**
 * A new delegate id (letters, digits, '-', '_').
 */
id: string, full_name: string, unit: string, composition: Composition, };

export type SeatSubstitute = { client_id: string, replaced: string, substitute: NewSubstitute, reason: string, };

export type CompositionRow = { 
/**
 * The value as the list gives it; empty when the list has none for these delegates.
 */
value: string, 
/**
 * Delegates who hold a seat (not withdrawn, not replaced).
 */
seated: number, present: number, recognised: number, };

export type CompositionTable = { 
/**
 * `gender`, `age_band`, `ethnicity`, `level` or `sector`.
 */
field: string, rows: Array<CompositionRow>, };

export type CredentialsReport = { congress: string, 
/**
 * Delegates convened as the congress was defined.
 */
convened_defined: number, 
/**
 * Convened now: less the seats withdrawn (credentials not recognised).
 */
convened: number, 
/**
 * Delegates holding a seat (substitutes included, replaced and withdrawn excluded).
 */
seated: number, present: number, recognised: number, pending: number, contested: number, not_recognised: number, replaced: number, 
/**
 * Substitutes who took a seat.
 */
substitutes: number, 
/**
 * Quorum now.
 */
quorum: QuorumState, 
/**
 * Only fields the list carries.
 */
composition: Array<CompositionTable>, 
/**
 * Delegates whose credentials are contested, not recognised or replaced, with the reason.
 */
exceptions: Array<CredentialInfo>, 
/**
 * The vote on the report, once put to the congress.
 */
vote_id: number | null, 
/**
 * Whether the congress adopted it (once the vote closed).
 */
adopted: boolean | null, 
/**
 * When these numbers were taken.
 */
at: number, };

export type PutReportToVote = { client_id: string, 
/**
 * The motion's title as delegates read it.
 */
title: string, item_id: string | null, };

export type CredentialsOverview = { 
/**
 * Every delegate's credentials, by delegate id.
 */
records: Array<CredentialInfo>, report: CredentialsReport, };

export type Body = "presidium" | "secretariat" | "credentials_committee" | "counting_board";

export type BodyRole = "head" | "deputy" | "secretary" | "member";

export type BodyMember = { delegate_id: string, role: BodyRole, };

export type BodyStatus = "proposed" | "approved" | "rejected";

export type BodyInfo = { body: Body, members: Array<BodyMember>, status: BodyStatus, 
/**
 * The vote on the list.
 */
vote_id: number, decided_at: number | null, };

export type ProposeBody = { client_id: string, body: Body, 
/**
 * 1 to 100 delegates, each once.
 */
members: Array<BodyMember>, 
/**
 * The motion's title as delegates read it.
 */
title: string, item_id: string | null, };

export type CandidateSource = { "kind": "presidium" } | { "kind": "floor", by: string, } | { "kind": "self_nominated" };

export type Consent = "pending" | "given" | "declined";

export type Withdrawal = { reason: string, requested_at: number, 
/**
 * `tablet` or `operator:NAME`.
 */
by: string, 
/**
 * The vote on the request, once put to the congress.
 */
vote_id: number | null, 
/**
 * `Some(true)`: the congress let the nominee withdraw.
 */
granted: boolean | null, };

export type CandidateInfo = { 
/**
 * The candidate's id in this election; also the ballot line's id in every round.
 */
id: number, name: string, 
/**
 * When the nominee is a delegate of this congress.
 */
delegate_id: string | null, 
/**
 * A short profile (born, position, unit), shown on the tablets.
 */
profile: string, 
/**
 * SHA-256 of the photo (`GET /api/elections/{id}/candidates/{cid}/photo`).
 */
photo: string | null, source: CandidateSource, consent: Consent, withdrawal: Withdrawal | null, nominated_at: number, 
/**
 * Standing: consent given and no withdrawal granted.
 */
standing: boolean, };

export type NominationPhase = { "state": "not_open" } | { "state": "open", opened_at: number, closes_at: number, } | { "state": "closed", closed_at: number, };

export type ListStatus = { "state": "draft" } | { "state": "voting", vote_id: number, } | { "state": "approved", vote_id: number, } | { "state": "rejected", vote_id: number, };

export type RoundOutcome = { 
/**
 * Elected in this round, most votes first.
 */
elected: Array<number>, tie: SeatTie | null, unfilled_seats: number, 
/**
 * The turnout rule was not met: no result, the round is held again.
 */
no_result: boolean, };

export type RoundInfo = { 
/**
 * 1, 2, …
 */
round: number, vote_id: number, seats: number, 
/**
 * The candidates on this round's ballot.
 */
candidates: Array<number>, outcome: RoundOutcome | null, };

export type ElectionInfo = { id: number, title: string, seats: number, 
/**
 * The majority each candidate needs, as the congress adopted it.
 */
rule: MajorityRule, 
/**
 * The fewest ballots for a round's result to be declared.
 */
turnout: TurnoutRule, item_id: string | null, nominations: NominationPhase, candidates: Array<CandidateInfo>, list: ListStatus, 
/**
 * The list as approved (candidate ids, ballot order).
 */
approved_list: Array<number>, rounds: Array<RoundInfo>, 
/**
 * Elected over all rounds.
 */
elected: Array<number>, 
/**
 * Seats still to fill.
 */
seats_left: number, 
/**
 * What the next round would be (`None`: none is allowed now).
 */
next_round: NextRound | null, };

export type NextRound = { seats: number, candidates: Array<number>, 
/**
 * `list` (first round), `tie`, `unfilled` or `no_result`.
 */
reason: string, };

export type TallySignature = { delegate_id: string, device_id: string, at: number, 
/**
 * The report's SHA-256 the member confirmed.
 */
report_sha256: string, };

export type TallySignoffs = { vote_id: number, signatures: Array<TallySignature>, };

export type ProceduresView = { bodies: Array<BodyInfo>, elections: Array<ElectionInfo>, 
/**
 * Sign-offs of closed secret votes' reports.
 */
signoffs: Array<TallySignoffs>, 
/**
 * The vote on the credentials report, and whether it was adopted.
 */
credentials_vote: number | null, credentials_adopted: boolean | null, };

export type NewCandidate = { name: string, delegate_id: string | null, profile: string, };

export type CreateElection = { client_id: string, title: string, seats: number, 
/**
 * Defaults to more than half of the valid ballots.
 */
rule: MajorityRule | null, 
/**
 * Defaults to more than half of the delegates present.
 */
turnout: TurnoutRule | null, item_id: string | null, 
/**
 * The presidium's proposed list.
 */
candidates: Array<NewCandidate>, };

export type AddCandidate = { client_id: string, candidate: NewCandidate, 
/**
 * `None`: the presidium's list; a delegate id: nominated from the floor by that delegate.
 */
nominated_by: string | null, };

export type SetNominations = { client_id: string, open: boolean, 
/**
 * How long the round stays open (1 to 240 minutes); required to open.
 */
minutes: number | null, };

export type RecordConsent = { client_id: string, candidate_id: number, consent: boolean, };

export type RequestWithdrawal = { client_id: string, candidate_id: number, reason: string, };

export type PutToVote = { client_id: string, candidate_id: number | null, 
/**
 * The motion's title as delegates read it.
 */
title: string, };

export type SetElectionRule = { client_id: string, seats: number, rule: MajorityRule, turnout: TurnoutRule, };

export type CreateRound = { client_id: string, 
/**
 * The ballot's title (e.g. "Bầu Ban Chấp hành — vòng 2").
 */
title: string, duration_s: number | null, };

export type ElectionAck = { client_id: string, seq: number, election: ElectionInfo, vote_id: number | null, };

export type ProcedureAck = { client_id: string, seq: number, vote_id: number | null, };

export type TallyRow = { option: number, name: string, votes: number, 
/**
 * Of the valid ballots, in hundredths of a percent (5,025 = 50.25 %), rounded down.
 */
percent_of_valid_bp: number, elected: boolean, };

export type ReportSigner = { delegate_id: string, name: string, role: BodyRole, signed_at: number | null, };

export type TallyReport = { vote_id: number, title: string, congress: string, 
/**
 * The election and round, when the vote is a round.
 */
election_id: number | null, round: number | null, seats: number, opened_at: number, closed_at: number, 
/**
 * Ballots issued: the delegates present at the close (when the result recorded it).
 */
issued: number | null, ballots: BallotCounts, rows: Array<TallyRow>, rule: MajorityRule, basis_value: number, votes_needed: number | null, turnout: TurnoutCheck | null, 
/**
 * Outcome code: `elected`, `insufficient_turnout`, `adopted`, `rejected`, …
 */
outcome: string, elected: Array<string>, tie: SeatTie | null, unfilled_seats: number, 
/**
 * SHA-256 of the report's content (everything above), which members sign.
 */
report_sha256: string, board: Array<ReportSigner>, 
/**
 * Every member of the approved board signed.
 */
signed_off: boolean, };

export type AuditEntry = { seq: number, at: number, 
/**
 * `operator:NAME`, `device:ID`, `system`, `cli`.
 */
actor: string, 
/**
 * The event's kind (the journal's `kind` column), e.g. `attendance_changed`.
 */
kind: string, 
/**
 * What happened, in the requested language.
 */
text: string, };

export type AuditPage = { entries: Array<AuditEntry>, 
/**
 * Pass as `before` for the next (older) page; `None` when this was the last.
 */
next_before: number | null, };

export type TlsInfo = { 
/**
 * `false` when the server runs with `tls = "off"` (plain HTTP).
 */
enabled: boolean, 
/**
 * SHA-256 of the CA certificate (DER), as `AB:CD:…`, to compare on the device.
 */
ca_sha256: string | null, 
/**
 * Where the CA certificate can be downloaded (`/ca.pem`; also on the plain-HTTP port).
 */
ca_url: string | null, 
/**
 * The plain-HTTP port that redirects to HTTPS and serves `/ca.pem`, if any.
 */
http_port: number | null, };
