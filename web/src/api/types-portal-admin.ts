// Types of the portal, chat, admin screens and the notifications bell: aliases of the generated
// ./schema.d.ts (`npm run gen` from ../../openapi.json). Nothing here describes a shape by hand.
import type { components, paths } from "./schema";

type S = components["schemas"];

/** The JSON body of a path's successful (200 or 201) response. */
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: { content: { "application/json": infer T } } }
    ? T
    : R extends { 201: { content: { "application/json": infer T } } }
      ? T
      : never
  : never;

/** A request body: fields that have a server default are optional (openapi-typescript marks
 *  every field with a `default` as required, which is right for responses only). */
type Req<T, Optional extends keyof T> = Omit<T, Optional> & Partial<Pick<T, Optional>>;

export type Status = S["Status"];
export type Priority = S["Priority"];

// --- tickets (portal) ---
export type TicketView = S["TicketView"];
export type TicketDetailView = S["TicketDetailView"];
export type ReplyView = S["ReplyView"];
export type AttachmentView = S["AttachmentView"];
export type TicketPage = Ok<"/tickets", "get">;
export type CreateTicket = Req<S["CreateTicket"], "description" | "priority" | "client_id" | "contact_id" | "assignee_id">;
export type CreateReply = Req<S["CreateReply"], "set_status">;
export type ReplyResult = Ok<"/tickets/{ticket_id}/replies", "post">;
export type CreateAttachment = S["CreateAttachment"];
export type StartedUpload = Ok<"/tickets/{ticket_id}/attachments", "post">;
export type AttachmentDownload = Ok<"/tickets/{ticket_id}/attachments/{attachment_id}", "get">;

// --- chat ---
export type ChatMessageView = S["ChatMessageView"];
export type ChatSessionView = S["ChatSessionView"];
export type ChatSessionPage = Ok<"/chat/sessions", "get">;
export type StartChat = Req<S["StartChat"], "message">;
export type PostChatMessage = S["PostChatMessage"];

// --- SLA, channels, policies, clients ---
export type SlaTarget = S["SlaTarget"];
export type SlaPolicySettings = Req<S["SlaPolicySettings"], "name" | "holidays">;
export type SlaPolicyView = Ok<"/sla-policies/{policy_id}", "get">;
export type SlaPolicyPage = Ok<"/sla-policies", "get">;
export type DefaultSlaPolicy = Ok<"/settings/sla", "get">;
export type ChannelSettings = S["ChannelSettings"];
export type PolicySettings = S["PolicySettings"];
export type SpikePolicy = S["SpikePolicy"];
export type ClientView = S["ClientView"];
export type ClientPage = Ok<"/clients", "get">;
export type PatchClient = Partial<S["PatchClient"]>;

// --- automations ---
export type Condition = S["Condition"];
export type Action = S["Action"];
export type Notify = S["Notify"];
export type RuleBody = Req<S["RuleBody"], "enabled" | "order" | "stop_after_match" | "conditions">;
export type RuleView = Ok<"/automations/{rule_id}", "get">;
export type RulePage = Ok<"/automations", "get">;
export type DryRunAutomation = S["DryRunAutomation"];

// --- AI reviews ---
export type RateAiReview = Req<S["RateAiReview"], "override">;

// --- knowledge base ---
export type KbArticleView = S["KbArticleView"];
export type KbArticleBody = Req<S["KbArticleBody"], "body" | "tags">;
export type KbArticlePage = Ok<"/kb/articles", "get">;

// --- automations: dry run, run log, notifications ---
export type ConditionResultView = S["ConditionResultView"];
export type DryRunActionView = S["DryRunActionView"];
export type DryRunResult = S["DryRunView"];
export type RunActionView = S["RunActionView"];
export type AutomationRun = S["AutomationRunView"];
export type AutomationRunPage = Ok<"/automations/{rule_id}/runs", "get">;
export type NotificationView = S["NotificationView"];
export type NotificationPage = Ok<"/notifications", "get">;

// --- AI reviews ---
export type AiReviewReason = S["AiReviewReason"];
export type AiReviewView = S["AiReviewView"];
export type AiReviewPage = Ok<"/ai/reviews", "get">;
export type AiReviewStats = S["AiReviewStats"];

// --- uploads and reports ---
export type UploadForm = S["UploadForm"];
export type SlaReport = S["SlaReportView"];
export type TimeReport = S["TimeReportView"];
