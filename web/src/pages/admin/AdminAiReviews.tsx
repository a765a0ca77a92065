// /admin/ai-reviews: the AI's suggestions (reply drafts, suggested priorities and categories) by
// confidence with the reasons behind each (GET /ai/reviews?state=pending|rated&order=desc|asc),
// rated correct or wrong with the right value (POST /ai/reviews/{id}), and the totals
// (GET /ai/reviews/stats).
import { useState, type FormEvent } from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api } from "../../api/client";
import type { AiReviewPage, AiReviewReason, AiReviewStats, AiReviewView, RateAiReview } from "../../api/types";
import { ErrorBox, FieldError, fmtTime, humanize, Loading } from "./ui";

const PRIORITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];
const CATEGORIES = ["security", "outage", "access", "email", "network", "hardware", "software", "billing", "request", "other"];

export function AdminAiReviews() {
  const [state, setState] = useState<"pending" | "rated">("pending");
  const [order, setOrder] = useState<"desc" | "asc">("desc");
  const q = useInfiniteQuery({
    queryKey: ["admin", "ai-reviews", state, order],
    queryFn: ({ pageParam }) => api.get<AiReviewPage>("/ai/reviews", { state, order, limit: 25, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  // The API returns them by confidence already; sorting the loaded pages again keeps the order
  // right however the pages were stitched together.
  const items = (q.data?.pages.flatMap((p) => p.items) ?? [])
    .slice()
    .sort((a, b) => (order === "desc" ? b.confidence - a.confidence : a.confidence - b.confidence));

  return (
    <section aria-labelledby="ai-title">
      <h2 id="ai-title">AI reviews</h2>
      <Stats />
      <div className="toolbar">
        <div className="tabs" role="tablist" aria-label="Reviews">
          {(["pending", "rated"] as const).map((s) => (
            <button
              key={s}
              type="button"
              role="tab"
              aria-selected={state === s}
              className={state === s ? "tab active" : "tab"}
              onClick={() => setState(s)}
            >
              {humanize(s)}
            </button>
          ))}
        </div>
        <label>
          Order{" "}
          <select value={order} onChange={(e) => setOrder(e.target.value as "desc" | "asc")}>
            <option value="desc">Most confident first</option>
            <option value="asc">Least confident first</option>
          </select>
        </label>
      </div>
      <ErrorBox error={q.error} />
      {q.isPending ? (
        <Loading what="reviews" />
      ) : items.length === 0 && !q.error ? (
        <p className="muted" data-testid="ai-reviews-empty">
          {state === "pending" ? "Nothing to review." : "No rated reviews yet."}
        </p>
      ) : (
        <ul className="pa-cards" data-testid="ai-reviews">
          {items.map((r) => (
            <ReviewCard key={r.id} review={r} />
          ))}
        </ul>
      )}
      {q.hasNextPage && (
        <button type="button" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          More
        </button>
      )}
    </section>
  );
}

function pct(x: unknown): string {
  return typeof x === "number" ? `${Math.round(x * 100)}%` : "—";
}

function num(x: unknown): string {
  return typeof x === "number" ? String(x) : "—";
}

function Stats() {
  const q = useQuery({ queryKey: ["admin", "ai-review-stats"], queryFn: () => api.get<AiReviewStats>("/ai/reviews/stats") });
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="stats" />;
  const s: AiReviewStats = q.data;
  const drafts = s.drafts;
  const ratings = s.ratings;
  return (
    <div className="stats" data-testid="ai-review-stats">
      <div className="stat">
        <span className="stat-value">{num(s.pending)}</span>
        <span className="stat-label">pending</span>
      </div>
      <div className="stat">
        <span className="stat-value">{pct(drafts.acceptance_rate)}</span>
        <span className="stat-label">
          drafts accepted ({num(drafts.accepted)} accepted, {num(drafts.edited)} edited, {num(drafts.rejected)} rejected,{" "}
          {num(drafts.open)} open)
        </span>
      </div>
      {Object.entries(ratings).map(([kind, r]) => (
        <div className="stat" key={kind}>
          <span className="stat-value">
            {num(r.correct)} / {num(r.wrong)}
          </span>
          <span className="stat-label">{kind}: correct / wrong</span>
        </div>
      ))}
    </div>
  );
}

function reasonText(r: AiReviewReason): string {
  if (r.type === "kb_section") {
    return `KB: ${String(r.title ?? "")}${r.heading ? ` › ${String(r.heading)}` : ""}${typeof r.score === "number" ? ` (score ${r.score})` : ""}`;
  }
  if (typeof r.text === "string") return r.text;
  return JSON.stringify(r);
}

function ReviewCard({ review: r }: { review: AiReviewView }) {
  const qc = useQueryClient();
  const [wrong, setWrong] = useState(false);
  const [override, setOverride] = useState("");
  const rate = useMutation({
    mutationFn: (body: RateAiReview) => api.post<AiReviewView>(`/ai/reviews/${encodeURIComponent(r.id)}`, body),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ["admin", "ai-reviews"] });
      qc.invalidateQueries({ queryKey: ["admin", "ai-review-stats"] });
    },
  });
  function submitWrong(e: FormEvent) {
    e.preventDefault();
    rate.mutate({ rating: "wrong", ...(override.trim() ? { override: override.trim() } : {}) });
  }
  const pending = r.state === "pending";
  return (
    <li className="pa-card review" data-testid={`ai-review-${r.id}`}>
      <div className="review-head">
        <span className="pill">{humanize(r.kind)}</span>
        <span className="confidence" title="confidence">
          <meter min={0} max={1} value={r.confidence} aria-label="Confidence" /> {pct(r.confidence)}
        </span>
        <Link to={`/tickets/${r.ticket_id}`}>Ticket</Link>
        <span className="muted small">
          {fmtTime(r.created_at)} · {r.provider}
        </span>
      </div>
      {r.kind === "draft" ? (
        <pre className="draft">{r.value}</pre>
      ) : (
        <p>
          Suggested {r.kind}: <strong>{r.value}</strong>
        </p>
      )}
      {r.reasons.length > 0 && (
        <>
          <h4 className="small">Why</h4>
          <ul className="small">
            {r.reasons.map((x, i) => (
              <li key={i}>{reasonText(x)}</li>
            ))}
          </ul>
        </>
      )}
      {r.sources && r.sources.length > 0 && (
        <p className="small">
          Sources:{" "}
          {r.sources.map((s, i) => (
            <span key={i} className="tag">
              {String(s.title ?? s.article_id ?? "")}
            </span>
          ))}
        </p>
      )}
      {r.outcome && (
        <p className="small">
          Outcome: <strong>{r.outcome}</strong>
          {typeof r.similarity === "number" ? ` (similarity ${pct(r.similarity)})` : ""}
          {r.outcome_reason ? ` — ${r.outcome_reason}` : ""}
        </p>
      )}
      {r.ticket_excerpt && (
        <details>
          <summary>What the AI read</summary>
          <pre className="excerpt">{r.ticket_excerpt}</pre>
        </details>
      )}
      {!pending ? (
        <p className="small" data-testid="ai-review-rated">
          Rated <strong>{r.rating}</strong>
          {r.rated_by ? ` by ${r.rated_by}` : ""}
          {r.override ? (
            <>
              {" "}
              — right value: <code>{r.override}</code>
            </>
          ) : null}
        </p>
      ) : (
        <div className="review-actions">
          <button type="button" className="primary" disabled={rate.isPending} onClick={() => rate.mutate({ rating: "correct" })}>
            Correct
          </button>
          <button type="button" disabled={rate.isPending} aria-expanded={wrong} onClick={() => setWrong(!wrong)}>
            Wrong…
          </button>
          {wrong && (
            <form className="inline-form" onSubmit={submitWrong}>
              <label htmlFor={`override-${r.id}`}>
                {r.kind === "draft" ? "Corrected reply (optional)" : `The right ${r.kind}`}
              </label>
              {r.kind === "priority" || r.kind === "category" ? (
                <select id={`override-${r.id}`} value={override} onChange={(e) => setOverride(e.target.value)}>
                  <option value="">choose…</option>
                  {(r.kind === "priority" ? PRIORITIES : CATEGORIES)
                    .filter((v) => v !== r.value)
                    .map((v) => (
                      <option key={v}>{v}</option>
                    ))}
                </select>
              ) : (
                <textarea id={`override-${r.id}`} rows={4} value={override} onChange={(e) => setOverride(e.target.value)} />
              )}
              <button type="submit" disabled={rate.isPending}>
                Rate wrong
              </button>
            </form>
          )}
        </div>
      )}
      <FieldError error={rate.error} field={["override", "rating"]} />
      <ErrorBox error={rate.error} inlineFields={["override", "rating"]} />
    </li>
  );
}
