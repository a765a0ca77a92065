// Placeholder: replaced by the screen's implementation.
export function ChatInbox() {
  return <p>ChatInbox</p>;
}
