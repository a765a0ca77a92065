// Asked when a master with children moves to RESOLVED / CLOSED (the PATCH answer carries
// `cascade_prompt`): push the same status (and optionally one reply) to every child that is not
// finished yet, then follow the cascade's progress until it is done.
import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import type { Cascade, CascadePrompt as Prompt, CascadeStarted, StartCascadeBody } from "../api/types";
import { ErrorText } from "./ErrorText";
import { STATUS_LABEL } from "./tickets";

type Props = { masterId: string; masterNumber?: number; prompt: Prompt; onClose: () => void };

export function CascadePrompt({ masterId, masterNumber, prompt, onClose }: Props) {
  const qc = useQueryClient();
  const [reply, setReply] = useState("");
  const [cascadeId, setCascadeId] = useState<string | null>(null);
  const total = prompt.eligible_children + prompt.skipped_children;
  const status = STATUS_LABEL[prompt.status] ?? prompt.status;

  const start = useMutation({
    mutationFn: () => {
      const body: StartCascadeBody = { status: prompt.status };
      if (reply.trim()) body.reply = { body: reply };
      return api.post<CascadeStarted>(`/tickets/${masterId}/cascade`, body);
    },
    onSuccess: (r) => setCascadeId(r.cascade_id),
  });

  const progress = useQuery({
    queryKey: ["cascade", cascadeId],
    queryFn: () => api.get<Cascade>(`/cascades/${cascadeId}`),
    enabled: !!cascadeId,
    refetchInterval: (q) => (q.state.data && q.state.data.state !== "RUNNING" ? false : 1000),
  });
  const finished = progress.data && progress.data.state !== "RUNNING";

  useEffect(() => {
    if (finished) {
      void qc.invalidateQueries({ queryKey: ["board"] });
      void qc.invalidateQueries({ queryKey: ["tickets"] });
      void qc.invalidateQueries({ queryKey: ["ticket"] });
    }
  }, [finished, qc]);

  return (
    <section className="cascade-prompt" role="dialog" aria-labelledby="cascade-title" data-testid="cascade-prompt">
      <h2 id="cascade-title">
        {masterNumber ? `#${masterNumber} is ${status.toLowerCase()}. ` : ""}Cascade to its children?
      </h2>
      <p data-testid="cascade-counts" data-eligible={prompt.eligible_children} data-skipped={prompt.skipped_children}>
        Apply “{status}” to {prompt.eligible_children} of {total} {total === 1 ? "child" : "children"}
        {prompt.skipped_children > 0 && (
          <>
            ; {prompt.skipped_children} already resolved or closed will be left alone
          </>
        )}
        .
      </p>
      {!cascadeId && (
        <>
          <label className="field">
            <span>Reply to each child's customer (optional)</span>
            <textarea
              value={reply}
              onChange={(e) => setReply(e.target.value)}
              rows={3}
              data-testid="cascade-reply"
            />
          </label>
          <div className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => start.mutate()}
              disabled={start.isPending || prompt.eligible_children === 0}
              data-testid="cascade-confirm"
            >
              {start.isPending ? "Starting…" : `Apply to ${prompt.eligible_children} children`}
            </button>
            <button type="button" onClick={onClose} data-testid="cascade-dismiss">
              Not now
            </button>
          </div>
          <ErrorText error={start.error} />
        </>
      )}
      {cascadeId && (
        <div data-testid="cascade-progress" data-state={progress.data?.state ?? "RUNNING"} aria-live="polite">
          {progress.data ? (
            <>
              <progress
                max={Math.max(progress.data.total, 1)}
                value={progress.data.applied + progress.data.skipped + progress.data.failed}
              />{" "}
              {progress.data.state === "RUNNING" ? "Running" : progress.data.state === "SUCCEEDED" ? "Done" : "Failed"}:{" "}
              {progress.data.applied} applied, {progress.data.skipped} skipped, {progress.data.failed} failed of{" "}
              {progress.data.total}
            </>
          ) : (
            "Starting…"
          )}
          <ErrorText error={progress.error} />
          {finished && (
            <div className="actions">
              <button type="button" onClick={onClose}>
                Close
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
