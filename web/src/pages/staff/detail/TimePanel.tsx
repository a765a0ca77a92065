// Time entries: the list, the billable / non-billable totals, and a form to add one.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../api/client";
import type { CreateTimeEntryBody, TicketDetail, TimeEntry } from "../../../api/types";
import { ErrorText } from "../../../components/ErrorText";
import { formatMinutes } from "../../../components/time";

export function TimePanel({ ticket: t, writer }: { ticket: TicketDetail; writer: boolean }) {
  const qc = useQueryClient();
  const [minutes, setMinutes] = useState("");
  const [billable, setBillable] = useState(true);
  const [note, setNote] = useState("");
  const [workDate, setWorkDate] = useState("");
  const totals = t.time_totals ?? { billable_minutes: 0, non_billable_minutes: 0 };
  const entries = t.time_entries ?? [];

  const add = useMutation({
    mutationFn: (req: CreateTimeEntryBody) => api.post<TimeEntry>(`/tickets/${t.id}/time-entries`, req),
    onSuccess: () => {
      setMinutes("");
      setNote("");
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ["ticket", t.id] }), // pending until re-read
  });
  const n = Number(minutes);
  const valid = Number.isInteger(n) && n > 0 && n <= 1440;

  return (
    <section className="panel time-panel" aria-labelledby="time-heading">
      <h2 id="time-heading">Time</h2>
      <p className="totals" data-testid="time-totals" data-billable={totals.billable_minutes} data-non-billable={totals.non_billable_minutes}>
        Billable <strong>{formatMinutes(totals.billable_minutes)}</strong> · Non-billable{" "}
        <strong>{formatMinutes(totals.non_billable_minutes)}</strong> · Total{" "}
        {formatMinutes(totals.billable_minutes + totals.non_billable_minutes)}
      </p>
      {entries.length > 0 && (
        <table className="time-entries">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Who</th>
              <th scope="col">Time</th>
              <th scope="col">Billable</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid="time-entry">
                <td>{e.work_date}</td>
                <td>{e.technician_id}</td>
                <td>{formatMinutes(e.minutes)}</td>
                <td>{e.billable ? "Yes" : "No"}</td>
                <td>{e.note ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {writer && (
        <form
          className="time-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!valid) return;
            const req: CreateTimeEntryBody = { minutes: n, billable };
            if (note.trim()) req.note = note.trim();
            if (workDate) req.work_date = workDate;
            add.mutate(req);
          }}
        >
          <label className="field">
            <span>Minutes</span>
            <input
              type="number"
              min={1}
              max={1440}
              step={1}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
              data-testid="time-minutes"
              required
            />
          </label>
          <label className="inline checkbox">
            <input type="checkbox" checked={billable} onChange={(e) => setBillable(e.target.checked)} data-testid="time-billable" />
            <span>Billable</span>
          </label>
          <label className="field">
            <span>Note</span>
            <input value={note} onChange={(e) => setNote(e.target.value)} data-testid="time-note" maxLength={500} />
          </label>
          <label className="field">
            <span>Date (default today)</span>
            <input type="date" value={workDate} onChange={(e) => setWorkDate(e.target.value)} data-testid="time-date" />
          </label>
          <button type="submit" disabled={add.isPending || !valid} data-testid="time-add">
            {add.isPending ? "Adding…" : "Add time"}
          </button>
          <ErrorText error={add.error} testId="time-error" />
        </form>
      )}
    </section>
  );
}
