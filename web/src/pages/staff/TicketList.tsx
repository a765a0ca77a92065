// Placeholder: replaced by the screen's implementation.
export function TicketList() {
  return <p>TicketList</p>;
}
