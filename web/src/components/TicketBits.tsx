// Small labels used on cards, rows and the detail page.
import type { Priority, Status } from "../api/types";
import { PRIORITY_LABEL, STATUS_LABEL, isDone } from "./tickets";

export function PriorityPill({ priority, muted = false }: { priority: Priority; muted?: boolean }) {
  return (
    <span className={`pill priority-${priority.toLowerCase()}${muted ? " muted" : ""}`} data-testid="priority" title="Priority">
      {PRIORITY_LABEL[priority]}
    </span>
  );
}

export function StatusPill({ status }: { status: Status }) {
  return (
    <span className={`pill status-pill status-${status.toLowerCase()}${isDone(status) ? " muted" : ""}`} data-testid="status">
      {STATUS_LABEL[status]}
    </span>
  );
}
