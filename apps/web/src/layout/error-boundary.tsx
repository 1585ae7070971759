import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

/** A last line of defence: a bug in one render shows a way back instead of a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('The demo page failed to render', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="sign-in">
        <div className="sign-in__panel" role="alert">
          <h1 className="sign-in__title">Something broke on this page.</h1>
          <p className="sign-in__lead">{this.state.error.message}</p>
          <p className="sign-in__form">
            <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
              Reload
            </button>
          </p>
        </div>
      </main>
    );
  }
}
