// The ticket list: filters (status, priority, assignee, client, SLA status, created date range,
// channel) and full-text search, combined, all held in the URL query string so a reload or a
// shared link shows the same list. Cursor paging: Next pushes the current cursor on a stack,
// Previous pops it.
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { TicketPage } from "../../api/types";
import { ErrorText } from "../../components/ErrorText";
import { LiveSla } from "../../components/Sla";
import { PriorityPill, StatusPill } from "../../components/TicketBits";
import {
  CHANNELS,
  CHANNEL_LABEL,
  PRIORITIES,
  PRIORITY_LABEL,
  SLA_LABEL,
  SLA_STATUSES,
  STATUSES,
  STATUS_LABEL,
  isDone,
} from "../../components/tickets";
import { formatDateTime } from "../../components/time";
import { useClients, useKnownStaff } from "./data";

const PAGE_SIZE = 25;
const ACTIVE = "OPEN,IN_PROGRESS,WAITING_ON_CUSTOMER,ESCALATED";

// URL parameter -> API query parameter.
const FILTERS = {
  status: "status",
  priority: "priority",
  assignee: "assignee_id",
  client: "client_id",
  sla: "sla_status",
  from: "created_from",
  to: "created_to",
  channel: "channel",
  q: "q",
} as const;
type FilterKey = keyof typeof FILTERS;

export function TicketList() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const { clients, byId: clientById } = useClients();
  const staff = useKnownStaff();

  const filterValues = useMemo(() => {
    const v = {} as Record<FilterKey, string>;
    for (const k of Object.keys(FILTERS) as FilterKey[]) v[k] = params.get(k) ?? "";
    return v;
  }, [params]);
  const filterKey = JSON.stringify(filterValues);

  // The cursor stack (last = this page) belongs to one set of filters: new filters start at page 1.
  const [paging, setPaging] = useState<{ key: string; stack: (string | null)[] }>({ key: filterKey, stack: [null] });
  const cursors = paging.key === filterKey ? paging.stack : [null];
  const setCursors = (f: (s: (string | null)[]) => (string | null)[]) => setPaging({ key: filterKey, stack: f(cursors) });

  function setFilter(key: FilterKey, value: string) {
    // From the address bar, not from `params`: react-router's `prev` is the last render's, so two
    // changes made before React renders again (two quick selects) would drop the first.
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: key === "q" || key === "assignee" });
  }

  const cursor = cursors[cursors.length - 1];
  const query: Record<string, string | number | null> = { limit: PAGE_SIZE, cursor };
  for (const k of Object.keys(FILTERS) as FilterKey[]) if (filterValues[k]) query[FILTERS[k]] = filterValues[k];

  const list = useQuery({
    queryKey: ["tickets", query],
    queryFn: () => api.get<TicketPage>("/tickets", query),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
  const anyFilter = Object.values(filterValues).some(Boolean);

  return (
    <div className="staff list-page">
      <div className="page-head">
        <h1>Tickets</h1>
      </div>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()} aria-label="Filter tickets">
        <label className="field search">
          <span>Search</span>
          <TextFilter
            type="search"
            value={filterValues.q}
            onCommit={(v) => setFilter("q", v)}
            placeholder="Subject, description, replies…"
            testId="search-box"
            maxLength={200}
          />
        </label>
        <Select label="Status" value={filterValues.status} onChange={(v) => setFilter("status", v)} testId="filter-status">
          <option value="">Any</option>
          <option value={ACTIVE}>Not resolved or closed</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
          {filterValues.status && filterValues.status !== ACTIVE && !STATUSES.includes(filterValues.status as never) && (
            <option value={filterValues.status}>{filterValues.status}</option>
          )}
        </Select>
        <Select label="Priority" value={filterValues.priority} onChange={(v) => setFilter("priority", v)} testId="filter-priority">
          <option value="">Any</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_LABEL[p]}
            </option>
          ))}
        </Select>
        <label className="field">
          <span>Assignee</span>
          <TextFilter
            list="assignee-options"
            value={filterValues.assignee}
            onCommit={(v) => setFilter("assignee", v.trim())}
            placeholder="user id"
            testId="filter-assignee"
            size={12}
          />
          <datalist id="assignee-options">
            {staff.map((u) => (
              <option key={u} value={u} />
            ))}
          </datalist>
        </label>
        <Select label="Client" value={filterValues.client} onChange={(v) => setFilter("client", v)} testId="filter-client">
          <option value="">Any</option>
          {clients.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
          {filterValues.client && !clientById.has(filterValues.client) && (
            <option value={filterValues.client}>{filterValues.client}</option>
          )}
        </Select>
        <Select label="SLA" value={filterValues.sla} onChange={(v) => setFilter("sla", v)} testId="filter-sla">
          <option value="">Any</option>
          {SLA_STATUSES.map((s) => (
            <option key={s} value={s}>
              {SLA_LABEL[s]}
            </option>
          ))}
        </Select>
        <label className="field">
          <span>Created from</span>
          <input type="date" value={filterValues.from} onChange={(e) => setFilter("from", e.target.value)} data-testid="filter-from" />
        </label>
        <label className="field">
          <span>to</span>
          <input type="date" value={filterValues.to} onChange={(e) => setFilter("to", e.target.value)} data-testid="filter-to" />
        </label>
        <Select label="Channel" value={filterValues.channel} onChange={(v) => setFilter("channel", v)} testId="filter-channel">
          <option value="">Any</option>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {CHANNEL_LABEL[c]}
            </option>
          ))}
        </Select>
        {anyFilter && (
          <button type="button" className="link clear" onClick={() => setParams(new URLSearchParams())} data-testid="filter-clear">
            Clear filters
          </button>
        )}
      </form>

      <ErrorText error={list.error} testId="list-error" />
      <table className="tickets" aria-busy={list.isFetching}>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Subject</th>
            <th scope="col">Client</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">Assignee</th>
            <th scope="col">SLA</th>
            <th scope="col">Channel</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((t) => {
            const done = isDone(t.status);
            return (
              <tr
                key={t.id}
                data-testid={`row-${t.number}`}
                className={`row-link${done ? " muted" : ""}`}
                onClick={(e) => {
                  if (!(e.target as HTMLElement).closest("a")) navigate(`/tickets/${t.id}`);
                }}
              >
                <td className="num">
                  <Link to={`/tickets/${t.id}`}>#{t.number}</Link>
                </td>
                <td>
                  <Link to={`/tickets/${t.id}`}>{t.subject}</Link>
                  {t.is_master && <span className="tag">Master · {t.child_count}</span>}
                </td>
                <td>{clientById.get(t.client_id)?.name ?? "…"}</td>
                <td>
                  <StatusPill status={t.status} />
                </td>
                <td>
                  <PriorityPill priority={t.priority} muted={done} />
                </td>
                <td>{t.assignee_id ?? <span className="subtle">Unassigned</span>}</td>
                <td>
                  <LiveSla sla={t.sla} muted={done} countdown={!done} />
                </td>
                <td>{CHANNEL_LABEL[t.channel]}</td>
                <td>{formatDateTime(t.created_at)}</td>
              </tr>
            );
          })}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={9} className="empty" data-testid="list-empty">
                No tickets match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {list.isPending && <p>Loading…</p>}
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          onClick={() => setCursors((s) => s.slice(0, -1))}
          disabled={cursors.length <= 1}
          data-testid="prev-page"
        >
          ← Previous
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          onClick={() => list.data?.next_cursor && setCursors((s) => [...s, list.data!.next_cursor])}
          disabled={!list.data?.next_cursor || list.isPlaceholderData}
          data-testid="next-page"
        >
          Next →
        </button>
      </nav>
    </div>
  );
}

function Select({
  label,
  value,
  onChange,
  testId,
  children,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  testId: string;
  children: React.ReactNode;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {children}
      </select>
    </label>
  );
}

/** A text input that reaches the URL after a pause in typing (or at once on Enter / leaving it). */
function TextFilter({
  value,
  onCommit,
  testId,
  ...rest
}: { value: string; onCommit: (v: string) => void; testId: string } & Omit<
  React.InputHTMLAttributes<HTMLInputElement>,
  "value" | "onChange"
>) {
  const [text, setText] = useState(value);
  const commit = useRef(onCommit);
  commit.current = onCommit;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const t = setTimeout(() => commit.current(text), 350);
    return () => clearTimeout(t);
  }, [text, value]);
  return (
    <input
      {...rest}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === "Enter") onCommit(text);
      }}
      onBlur={() => text !== value && onCommit(text)}
      data-testid={testId}
    />
  );
}
