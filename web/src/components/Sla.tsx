// SLA badges and countdowns. The API computes each timer's status at request time; between
// refetches a running timer whose due time passes turns Breached here, and the countdown ticks.
import type { Sla, SlaStatus, SlaTimer } from "../api/types";
import { SLA_LABEL } from "./tickets";
import { formatDateTime, formatDuration, useNow } from "./time";

const RANK: Record<SlaStatus, number> = { MET: 0, ON_TRACK: 1, AT_RISK: 2, BREACHED: 3 };

export function isRunning(t: SlaTimer): boolean {
  return !t.stopped_at && !t.paused && !!t.due_at;
}

export function liveTimerStatus(t: SlaTimer, now: number): SlaStatus {
  if (isRunning(t) && t.status !== "BREACHED" && Date.parse(t.due_at!) <= now) return "BREACHED";
  return t.status;
}

/** The ticket's SLA status now: the worst of its timers (MET only when every timer met). */
export function liveSlaStatus(sla: Sla, now: number): SlaStatus {
  const timers = [sla.response, sla.resolution];
  const live = timers.map((t) => liveTimerStatus(t, now));
  if (live.every((s) => s === "MET")) return "MET";
  if (RANK[sla.status] > Math.max(...live.map((s) => RANK[s]))) return sla.status;
  return live.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), "ON_TRACK" as SlaStatus);
}

/** The running timer that falls due first, if any. */
export function nextDue(sla: Sla): { which: "response" | "resolution"; timer: SlaTimer } | null {
  const running = (["response", "resolution"] as const)
    .map((which) => ({ which, timer: sla[which] }))
    .filter((x) => isRunning(x.timer));
  running.sort((a, b) => Date.parse(a.timer.due_at!) - Date.parse(b.timer.due_at!));
  return running[0] ?? null;
}

export function SlaBadge({ status, muted = false }: { status: SlaStatus; muted?: boolean }) {
  return (
    <span
      className={`sla-badge sla-${status.toLowerCase().replace("_", "-")}${muted ? " muted" : ""}`}
      data-testid="sla-badge"
      data-status={status}
      title={`SLA: ${SLA_LABEL[status]}`}
    >
      {SLA_LABEL[status]}
    </span>
  );
}

/** Badge computed live from the ticket's timers, plus the time left on the next running timer. */
export function LiveSla({ sla, muted = false, countdown = true }: { sla: Sla | null; muted?: boolean; countdown?: boolean }) {
  const now = useNow(1000);
  if (!sla) return <span className="subtle">No SLA</span>;
  const status = liveSlaStatus(sla, now);
  const next = countdown ? nextDue(sla) : null;
  return (
    <span className="live-sla">
      <SlaBadge status={status} muted={muted} />
      {next && <Countdown dueAt={next.timer.due_at!} now={now} label={next.which} />}
    </span>
  );
}

export function Countdown({ dueAt, now, label }: { dueAt: string; now: number; label?: string }) {
  const left = Date.parse(dueAt) - now;
  const text = left >= 0 ? `${formatDuration(left)} left` : `overdue ${formatDuration(left)}`;
  return (
    <span
      className={`countdown${left < 0 ? " overdue" : ""}`}
      data-testid="sla-countdown"
      title={`${label ? `${label} ` : ""}due ${formatDateTime(dueAt)}`}
    >
      {label ? `${label}: ` : ""}
      {text}
    </span>
  );
}

function TimerRow({ name, timer, now }: { name: string; timer: SlaTimer; now: number }) {
  const status = liveTimerStatus(timer, now);
  let state: React.ReactNode;
  if (timer.stopped_at) state = <>stopped {formatDateTime(timer.stopped_at)}</>;
  else if (timer.paused) state = <>paused (waiting on customer)</>;
  else if (timer.due_at) state = <Countdown dueAt={timer.due_at} now={now} />;
  else state = <>—</>;
  return (
    <tr data-testid={`sla-${name.toLowerCase()}`}>
      <th scope="row">{name}</th>
      <td>
        <SlaBadge status={status} muted={!!timer.stopped_at} />
      </td>
      <td>{formatDateTime(timer.due_at)}</td>
      <td>{state}</td>
    </tr>
  );
}

/** The detail page's SLA panel: both timers with due times and live countdowns. */
export function SlaPanel({ sla }: { sla: Sla | null }) {
  const now = useNow(1000);
  if (!sla) {
    return (
      <section className="panel" data-testid="sla-panel" aria-labelledby="sla-heading">
        <h2 id="sla-heading">SLA</h2>
        <p className="subtle">No SLA applies to this ticket.</p>
      </section>
    );
  }
  return (
    <section className="panel" data-testid="sla-panel" aria-labelledby="sla-heading">
      <h2 id="sla-heading">
        SLA <SlaBadge status={liveSlaStatus(sla, now)} />
      </h2>
      <table className="sla-table">
        <thead>
          <tr>
            <th scope="col">Timer</th>
            <th scope="col">Status</th>
            <th scope="col">Due</th>
            <th scope="col">Now</th>
          </tr>
        </thead>
        <tbody>
          <TimerRow name="Response" timer={sla.response} now={now} />
          <TimerRow name="Resolution" timer={sla.resolution} now={now} />
        </tbody>
      </table>
    </section>
  );
}
