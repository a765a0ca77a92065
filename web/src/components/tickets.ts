// Ticket vocabulary shared by the staff screens: labels and the lifecycle of API.md
// (mirrors regentra/domain/lifecycle.py; the API stays the judge and answers 409 otherwise).
import type { Channel, Priority, SlaStatus, Status } from "../api/types";

export const STATUSES: Status[] = ["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ESCALATED", "RESOLVED", "CLOSED"];
export const PRIORITIES: Priority[] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];
export const CHANNELS: Channel[] = ["MANUAL", "EMAIL", "PORTAL", "CHAT", "SMS"];
export const SLA_STATUSES: SlaStatus[] = ["ON_TRACK", "AT_RISK", "BREACHED", "MET"];

export const STATUS_LABEL: Record<Status, string> = {
  OPEN: "Open",
  IN_PROGRESS: "In progress",
  WAITING_ON_CUSTOMER: "Waiting on customer",
  ESCALATED: "Escalated",
  RESOLVED: "Resolved",
  CLOSED: "Closed",
};
export const PRIORITY_LABEL: Record<Priority, string> = { LOW: "Low", MEDIUM: "Medium", HIGH: "High", CRITICAL: "Critical" };
export const CHANNEL_LABEL: Record<Channel, string> = {
  MANUAL: "Manual",
  EMAIL: "Email",
  PORTAL: "Portal",
  CHAT: "Chat",
  SMS: "SMS",
};
export const SLA_LABEL: Record<SlaStatus, string> = {
  ON_TRACK: "On Track",
  AT_RISK: "At Risk",
  BREACHED: "Breached",
  MET: "Met",
};

const ALLOWED: Record<Status, Status[]> = {
  OPEN: ["IN_PROGRESS", "WAITING_ON_CUSTOMER", "ESCALATED", "RESOLVED", "CLOSED"],
  IN_PROGRESS: ["WAITING_ON_CUSTOMER", "ESCALATED", "RESOLVED", "CLOSED"],
  WAITING_ON_CUSTOMER: ["IN_PROGRESS", "ESCALATED", "RESOLVED", "CLOSED"],
  ESCALATED: ["IN_PROGRESS", "WAITING_ON_CUSTOMER", "RESOLVED", "CLOSED"],
  RESOLVED: ["IN_PROGRESS", "CLOSED"],
  CLOSED: ["IN_PROGRESS"],
};

/** The statuses a ticket in `from` may move to (in board order; the same status is not a move). */
export function allowedTargets(from: Status): Status[] {
  return STATUSES.filter((s) => ALLOWED[from].includes(s));
}

export function canMove(from: Status, to: Status): boolean {
  return ALLOWED[from].includes(to);
}

/** Finished work: muted on the board and in lists. */
export function isDone(status: Status): boolean {
  return status === "RESOLVED" || status === "CLOSED";
}
