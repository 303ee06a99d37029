const TEXT: Record<string, string> = { online: 'Online', offline: 'Offline', attack: 'Under attack', elevated: 'Elevated' };

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge status-${status}`} data-status={status}>
      <span className="dot" aria-hidden="true" />
      {TEXT[status] ?? status}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: string }) {
  return <span className={`badge sev-${severity}`} data-severity={severity}>{severity}</span>;
}

export function Pill({ tone, children }: { tone: string; children: React.ReactNode }) {
  return <span className={`badge tone-${tone}`}>{children}</span>;
}
