/** Renders text where `backticked` parts are commands or names, as the core's hints write them. */
export function InlineCode({ text }: { text: string }) {
  const parts = text.split("`");
  // An odd number of parts means the backticks pair up; otherwise show the text as it is.
  if (parts.length % 2 === 0) return <>{text}</>;
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}
