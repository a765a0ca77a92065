// Placeholder: replaced by the screen's implementation.
export function TicketDetail() {
  return <p>TicketDetail</p>;
}
