// The staff notifications bell (header): polls GET /notifications, shows how many arrived since the
// dropdown was last opened, and lists them. The API keeps no read state, so "seen" is remembered
// in this browser (the newest notification time seen, per tenant and user).
import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api } from "../api/client";
import { useAuth } from "../auth";
import type { NotificationPage } from "../api/types";
import { ErrorBox, fmtTime, humanize } from "../pages/admin/ui";

const POLL_MS = 20_000;
const REASONS: Record<string, string> = {
  sla_at_risk: "SLA at risk",
  sla_breached: "SLA breached",
  automation: "Automation",
};

export function NotificationsBell() {
  const { session } = useAuth();
  const seenKey = `regentra.bell.seen.${session?.tenant_id}.${session?.user_id}`;
  const [seen, setSeen] = useState<string>(() => localStorage.getItem(seenKey) ?? "");
  const [open, setOpen] = useState(false);
  const [seenAtOpen, setSeenAtOpen] = useState(""); // to mark what was new when the menu opened
  const box = useRef<HTMLDivElement>(null);
  const q = useQuery({
    queryKey: ["notifications", session?.user_id],
    queryFn: () => api.get<NotificationPage>("/notifications", { limit: 30 }),
    refetchInterval: POLL_MS,
    enabled: !!session,
  });
  const items = q.data?.items ?? [];
  const unread = items.filter((n) => n.at > seen).length;

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  function toggle() {
    const next = !open;
    setOpen(next);
    if (next) setSeenAtOpen(seen);
    if (next && items.length) {
      const newest = items[0].at;
      if (newest > seen) {
        localStorage.setItem(seenKey, newest);
        setSeen(newest);
      }
    }
  }

  return (
    <div className="bell" ref={box}>
      <button
        type="button"
        className="bell-button"
        data-testid="bell"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={`Notifications${unread ? `, ${unread} new` : ""}`}
        onClick={toggle}
      >
        <svg className="bell-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {unread > 0 && (
          <span className="bell-count" data-testid="bell-count">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
        {q.error ? (
          <span className="bell-error" title="Notifications could not be loaded" aria-hidden="true">
            !
          </span>
        ) : null}
      </button>
      {open && (
        <div className="bell-menu" role="region" aria-label="Notifications" data-testid="bell-menu">
          <ErrorBox error={q.error} />
          {items.length === 0 && !q.error ? (
            <p className="muted">No notifications.</p>
          ) : (
            <ul>
              {items.map((n) => (
                <li key={n.id} className={n.at > seenAtOpen ? "unread" : undefined}>
                  <div className="bell-meta">
                    {REASONS[n.reason] ?? humanize(n.reason)} · {fmtTime(n.at)}
                  </div>
                  <div>{n.message}</div>
                  {n.ticket_id && (
                    <Link to={`/tickets/${n.ticket_id}`} onClick={() => setOpen(false)}>
                      Open ticket
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
