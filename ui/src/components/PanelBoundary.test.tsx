import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { PanelBoundary } from "./PanelBoundary";

let broken = true;
function Flaky() {
  if (broken) throw new RangeError("invalid language tag: C");
  return <p>plotted</p>;
}

function Page() {
  return (
    <div>
      <nav>tabs</nav>
      <PanelBoundary title="The Metrics panel failed">
        <Flaky />
      </PanelBoundary>
    </div>
  );
}

describe("PanelBoundary", () => {
  it("shows a panel's error in place, keeps the page, and retries", async () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    render(<Page />);
    expect(screen.getByText("tabs")).toBeTruthy();
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("The Metrics panel failed");
    expect(alert.textContent).toContain("invalid language tag: C");
    broken = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(screen.getByText("plotted")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
    quiet.mockRestore();
  });
});
