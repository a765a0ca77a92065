// The activity history: who changed what, when, and through which source.
import type { ActivityEntry } from "../../../api/types";
import { formatDateTime } from "../../../components/time";

function show(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (Array.isArray(v)) return v.length > 3 ? `${v.slice(0, 3).map(show).join(", ")} +${v.length - 3}` : v.map(show).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function describe(change: Record<string, unknown>): string {
  if (typeof change.field === "string") return `${change.field.replace(/_/g, " ")}: ${show(change.from)} → ${show(change.to)}`;
  const { event, ...rest } = change;
  const name = typeof event === "string" ? event.replace(/_/g, " ") : "change";
  const details = Object.entries(rest)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k.replace(/_/g, " ")} ${show(v)}`)
    .join(", ");
  return details ? `${name} (${details})` : name;
}

export function ActivityPanel({ activity }: { activity: ActivityEntry[] }) {
  const entries = [...activity].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <section className="panel" data-testid="activity" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Activity</h2>
      <ol className="activity">
        {entries.map((a, i) => (
          <li key={`${a.at}-${i}`} data-testid="activity-entry">
            <time dateTime={a.at}>{formatDateTime(a.at)}</time> <span className="actor">{a.actor}</span>{" "}
            <span className="what">{describe(a.change)}</span> <span className="source">{a.source}</span>
          </li>
        ))}
        {entries.length === 0 && <li className="empty">No activity.</li>}
      </ol>
    </section>
  );
}
