// Placeholder: replaced by the screen's implementation.
export function Board() {
  return <p>Board</p>;
}
