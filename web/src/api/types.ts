// Types of the sign-in page and the staff screens (board, list, ticket detail): aliases of the
// generated ./schema.d.ts (`npm run gen` from ../../openapi.json). Nothing here describes a shape
// by hand, except the SCHEMA GAP block at the end (fields openapi.json declares only as
// free-form objects).
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
