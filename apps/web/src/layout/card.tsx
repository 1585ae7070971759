import type { ReactNode } from 'react';

interface CardProps {
  /** Names the section for assistive technology (`aria-labelledby`). */
  titleId: string;
  title: ReactNode;
  /** Extra class names, e.g. `demo`. */
  className: string;
  /** What sits at the right of the title: a hint, a badge, tools. */
  aside?: ReactNode;
  children: ReactNode;
}

/** A dashboard panel: a titled section with an optional aside in its header. */
export function Card({ titleId, title, className, aside, children }: CardProps) {
  return (
    <section className={`card ${className}`} aria-labelledby={titleId}>
      <div className="card__header">
        <h2 className="card__title" id={titleId}>
          {title}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}
