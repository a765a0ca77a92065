// Placeholder: replaced by the screen's implementation.
export function PortalTicket() {
  return <p>PortalTicket</p>;
}
