// Placeholder: replaced by the screen's implementation.
export function PortalNewTicket() {
  return <p>PortalNewTicket</p>;
}
