export interface DemoUser {
  userId: string;
  name: string;
  /** Whom the name honours, for the sign-in card. */
  tagline: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { userId: 'ada', name: 'Ada', tagline: 'Ada Lovelace' },
  { userId: 'grace', name: 'Grace', tagline: 'Grace Hopper' },
  { userId: 'linus', name: 'Linus', tagline: 'Linus Torvalds' },
];

export const otherDemoUsers = (userId: string) => DEMO_USERS.filter((u) => u.userId !== userId);

/** The class every signed-in user is put in: a server-side group, with its own leaderboard and announcements. */
export const DEMO_CLASS = { groupId: 'class-a', label: 'Class A' } as const;

const HEADLINES = [
  { title: 'Build #482 passed', message: 'main is green again. Deploy when ready.' },
  { title: 'New comment on your pull request', message: '“Looks good, one nit on the retry backoff.”' },
  { title: 'Your export is ready', message: 'report-q3.csv (2.4 MB) can be downloaded for 24 hours.' },
  { title: 'Payment received', message: 'Invoice #1042 was paid in full.' },
  { title: 'Weekly digest', message: '12 new followers and 3 mentions this week.' },
];

/** A plausible notification for the demo, picked by a counter so consecutive ones differ. */
export function sampleNotification(counter: number) {
  return HEADLINES[counter % HEADLINES.length]!;
}

const ANNOUNCEMENTS = [
  { title: 'Quiz moved to Friday', message: 'Chapter 4 only. Bring a pencil.' },
  { title: 'New mission posted', message: '“Build a live leaderboard” is open until Sunday.' },
  { title: 'Office hours today', message: 'Room 204 from 3 pm, or on the class channel.' },
];

/** A class announcement from `from`, picked by a counter so consecutive ones differ. */
export function sampleAnnouncement(counter: number, from: string) {
  const { title, message } = ANNOUNCEMENTS[counter % ANNOUNCEMENTS.length]!;
  return { title: `${DEMO_CLASS.label}: ${title}`, message: `${message} (from ${from})` };
}
