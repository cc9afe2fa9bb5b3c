/** A service's SVG icon, drawn as an image (never inlined as markup, so nothing in it can run). */
export function ServiceIcon({ svg, title, size = 40 }: { svg: string | null | undefined; title: string; size?: number }) {
  if (!svg) {
    return (
      <span className="service-icon service-icon--letter" style={{ width: size, height: size }} aria-hidden="true">
        {title.slice(0, 1)}
      </span>
    );
  }
  return (
    <img
      className="service-icon"
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
      width={size}
      height={size}
      alt=""
      aria-hidden="true"
    />
  );
}
