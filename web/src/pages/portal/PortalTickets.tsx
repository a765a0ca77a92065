// Placeholder: replaced by the screen's implementation.
export function PortalTickets() {
  return <p>PortalTickets</p>;
}
