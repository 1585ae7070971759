import { describe, expectTypeOf, it } from 'vitest';
import type {
  NotificationPage,
  ParsedRequest,
  Profile,
  RouteBody,
  RouteHeaders,
  RouteParams,
  RouteQuery,
  RouteResponse,
  routes,
} from './index.js';

type Routes = typeof routes;

describe('route types', () => {
  it('types what a caller sends', () => {
    expectTypeOf<RouteBody<Routes['createNotification']>>().toHaveProperty('title').toEqualTypeOf<string>();
    expectTypeOf<RouteBody<Routes['createNotification']>['type']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RouteQuery<Routes['listNotifications']>['limit']>().toEqualTypeOf<unknown>();
    expectTypeOf<RouteParams<Routes['markNotificationRead']>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<RouteHeaders<Routes['awardXp']>>().toEqualTypeOf<{ 'idempotency-key'?: string | undefined }>();
    expectTypeOf<RouteBody<Routes['getProfile']>>().toEqualTypeOf<undefined>();
    const body: RouteBody<Routes['awardXp']> = { userId: 'u', amount: 1, source: 'mission' };
    // @ts-expect-error amount is a number
    const bad: RouteBody<Routes['awardXp']> = { userId: 'u', amount: '1', source: 'mission' };
    void body;
    void bad;
  });

  it('types what the server parsed, defaults applied', () => {
    expectTypeOf<ParsedRequest<Routes['createNotification']>['body']['type']>().toEqualTypeOf<string>();
    expectTypeOf<ParsedRequest<Routes['listNotifications']>['query']['limit']>().toEqualTypeOf<number>();
    expectTypeOf<ParsedRequest<Routes['listNotifications']>['query']['unread']>().toEqualTypeOf<boolean | undefined>();
  });

  it('types each answer by status', () => {
    expectTypeOf<RouteResponse<Routes['listNotifications']>>().toEqualTypeOf<NotificationPage>();
    expectTypeOf<RouteResponse<Routes['awardXp'], 200>>().toEqualTypeOf<Profile>();
    expectTypeOf<RouteResponse<Routes['deleteNotification']>>().toEqualTypeOf<void>();
    expectTypeOf<RouteResponse<Routes['createNotification'], 201>['notifications'][number]['seq']>().toBeNumber();
    expectTypeOf<RouteResponse<Routes['ready'], 503>['status']>().toEqualTypeOf<'unavailable' | 'draining'>();
    expectTypeOf<RouteResponse<Routes['publishEvent']>['recipients']>().toEqualTypeOf<number | 'all'>();
    // @ts-expect-error createNotification answers 201, not 200
    expectTypeOf<RouteResponse<Routes['createNotification'], 200>>().toBeObject();
  });
});
