// Placeholder: replaced by the screen's implementation.
export function ChatWidget() {
  return <p>ChatWidget</p>;
}
