// Types of every screen (sign-in, staff board/list/detail, portal, chat, admin, notifications):
// aliases of the generated ./schema.d.ts (`npm run gen` from ../../openapi.json). Nothing here
// describes a shape by hand, except the SCHEMA GAP block at the end (fields openapi.json declares
// only as free-form objects).
import type { components, paths } from "./schema";

type S = components["schemas"];

/** The JSON body of a path's successful (200, 201 or 202) response. */
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: { content: { "application/json": infer T } } }
    ? T
    : R extends { 201: { content: { "application/json": infer T } } }
      ? T
      : R extends { 202: { content: { "application/json": infer T } } }
        ? T
        : never
  : never;

/** A path's JSON request body. */
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer T } };
}
  ? T
  : never;

/** A request body: fields with a server default are optional (openapi-typescript marks every
 *  field with a `default` as required, which is right for responses only). */
type Req<T, Optional extends keyof T> = Omit<T, Optional> & Partial<Pick<T, Optional>>;

export type Status = S["Status"];
export type Priority = S["Priority"];
export type Channel = S["Channel"];
export type SlaStatus = S["SlaStatus"];

export type SlaTimer = S["SlaTimerView"];
export type Sla = S["SlaView"];
export type Ticket = S["TicketView"];
export type TicketPage = Ok<"/tickets", "get">;
export type Board = Ok<"/tickets/board", "get">;
export type BoardColumn = S["BoardColumn"];

export type Reply = S["ReplyView"];
export type Note = S["NoteView"];
export type TimeEntry = S["TimeEntryView"];
export type TimeTotals = S["TimeTotals"];
export type ActivityEntry = S["ActivityView"];
export type Links = S["TicketLinks"];
export type TicketDetail = Ok<"/tickets/{ticket_id}", "get">;

export type CascadePrompt = S["CascadePrompt"];
export type PatchTicketBody = Partial<S["PatchTicket"]>;
export type PatchTicketResult = Ok<"/tickets/{ticket_id}", "patch">;
export type CreateReplyBody = Req<S["CreateReply"], "set_status">;
export type ReplyResult = Ok<"/tickets/{ticket_id}/replies", "post">;
export type CreateNoteBody = S["CreateNote"];
export type CreateTimeEntryBody = Req<S["CreateTimeEntry"], "note" | "work_date">;

export type AiDraft = Ok<"/tickets/{ticket_id}/ai-draft", "post">;

export type LinkChildrenBody = S["LinkChildren"];
export type LinkResult = Ok<"/tickets/{ticket_id}/children", "post">;
export type StartCascadeBody = Partial<S["StartCascade"]>;
export type CascadeStarted = Ok<"/tickets/{ticket_id}/cascade", "post">;
export type Cascade = Ok<"/cascades/{cascade_id}", "get">;

export type Client = S["ClientView"];
export type Contact = Ok<"/contacts/{contact_id}", "get">;
export type ClientPage = Ok<"/clients", "get">;

// --- portal: new tickets, attachments ---
export type CreateTicket = Req<S["CreateTicket"], "description" | "priority" | "client_id" | "contact_id" | "assignee_id">;
export type AttachmentView = S["AttachmentView"];
export type CreateAttachment = S["CreateAttachment"];
export type StartedUpload = Ok<"/tickets/{ticket_id}/attachments", "post">;
export type AttachmentDownload = Ok<"/tickets/{ticket_id}/attachments/{attachment_id}", "get">;

// --- chat ---
export type ChatMessageView = S["ChatMessageView"];
export type ChatSessionView = S["ChatSessionView"];
export type ChatSessionPage = Ok<"/chat/sessions", "get">;
export type StartChat = Req<S["StartChat"], "message">;
export type PostChatMessage = S["PostChatMessage"];

// --- SLA, channels, policies, clients (admin) ---
export type SlaTarget = S["SlaTarget"];
export type SlaPolicySettings = Req<S["SlaPolicySettings"], "name" | "holidays">;
export type SlaPolicyView = Ok<"/sla-policies/{policy_id}", "get">;
export type SlaPolicyPage = Ok<"/sla-policies", "get">;
export type DefaultSlaPolicy = Ok<"/settings/sla", "get">;
export type ChannelSettings = S["ChannelSettings"];
export type PolicySettings = S["PolicySettings"];
export type SpikePolicy = S["SpikePolicy"];
export type PatchClient = Partial<S["PatchClient"]>;

// --- automations: rules, dry run, run log ---
export type Condition = S["Condition"];
export type Action = S["Action"];
export type Notify = S["Notify"];
export type RuleBody = Req<S["RuleBody"], "enabled" | "order" | "stop_after_match" | "conditions">;
export type RuleView = Ok<"/automations/{rule_id}", "get">;
export type RulePage = Ok<"/automations", "get">;
export type DryRunAutomation = S["DryRunAutomation"];
export type ConditionResultView = S["ConditionResultView"];
export type DryRunActionView = S["DryRunActionView"];
export type DryRunResult = S["DryRunView"];
export type RunActionView = S["RunActionView"];
export type AutomationRun = S["AutomationRunView"];
export type AutomationRunPage = Ok<"/automations/{rule_id}/runs", "get">;

// --- notifications ---
export type NotificationView = S["NotificationView"];
export type NotificationPage = Ok<"/notifications", "get">;

// --- knowledge base ---
export type KbArticleView = S["KbArticleView"];
export type KbArticleBody = Req<S["KbArticleBody"], "body" | "tags">;
export type KbArticlePage = Ok<"/kb/articles", "get">;

// --- AI reviews ---
export type RateAiReview = Req<S["RateAiReview"], "override">;
export type AiReviewReason = S["AiReviewReason"];
export type AiReviewView = S["AiReviewView"];
export type AiReviewPage = Ok<"/ai/reviews", "get">;
export type AiReviewStats = S["AiReviewStats"];

// --- uploads and reports ---
export type UploadForm = S["UploadForm"];
export type SlaReport = S["SlaReportView"];
export type TimeReport = S["TimeReportView"];

// Local-only routes and the web config (documented in openapi.json, absent in AWS).
export type LocalDemoUser = Ok<"/_local/demo", "get">["items"][number];
export type LocalTokenBody = Body<"/_local/token", "post">;
export type LocalToken = Ok<"/_local/token", "post">;
export type WebConfig = Ok<"/config.json", "get">;

// --- SCHEMA GAP: openapi.json declares these as free-form objects ({[key: string]: unknown});
// the fields below are the ones the API returns today (services/views.py reply_view,
// detail_view's `analysis`), read through these narrowing helpers rather than trusted blindly. ---

/** ReplyView.delivery (staff only): how sending the reply went. */
export type Delivery = { state: string; to?: string; reason?: string };
export function deliveryOf(reply: Reply): Delivery | null {
  const d = reply.delivery;
  if (!d || typeof d.state !== "string") return null;
  return {
    state: d.state,
    to: typeof d.to === "string" ? d.to : undefined,
    reason: typeof d.reason === "string" ? d.reason : undefined,
  };
}

/** TicketDetailView.analysis (staff only): the AI analyzer's last result. */
export type Analysis = { suggested_priority: Priority | null; category: string | null; reasons: string[] };
export function analysisOf(t: TicketDetail): Analysis | null {
  const a = t.analysis;
  if (!a) return null;
  const p = a.suggested_priority;
  return {
    suggested_priority: p === "LOW" || p === "MEDIUM" || p === "HIGH" || p === "CRITICAL" ? p : null,
    category: typeof a.category === "string" ? a.category : null,
    reasons: Array.isArray(a.reasons) ? a.reasons.filter((r): r is string => typeof r === "string") : [],
  };
}
