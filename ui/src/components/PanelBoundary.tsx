import { Component, type ReactNode } from "react";
import { toApiError, type ApiError } from "../ipc";
import { ErrorPanel } from "./ErrorPanel";

/**
 * Catches what a panel throws while loading or rendering (a lazy chunk that fails to import, a
 * library that throws in this webview) and shows it in place, with a retry, so the rest of the
 * app stays usable instead of React unmounting everything.
 */
export class PanelBoundary extends Component<{ title: string; children: ReactNode }, { error: ApiError | null }> {
  state: { error: ApiError | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: ApiError } {
    return { error: toApiError(error) };
  }

  componentDidCatch(error: unknown): void {
    console.error(`${this.props.title}:`, error);
  }

  render(): ReactNode {
    if (this.state.error) {
      return <ErrorPanel error={this.state.error} fallbackTitle={this.props.title} onRetry={() => this.setState({ error: null })} />;
    }
    return this.props.children;
  }
}
