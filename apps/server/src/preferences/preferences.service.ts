import { Injectable } from '@nestjs/common';
import { type PreferencesResponse, type UpdatePreferencesBody } from '@realtime/contracts';
import { WebSocketService } from '../realtime/websocket.service.js';
import { PreferencesRepository } from './preferences.repository.js';

/** Changes a user's preferences and tells every device of theirs (`preferences:updated`). */
@Injectable()
export class PreferencesService {
  constructor(
    private readonly repo: PreferencesRepository,
    private readonly ws: WebSocketService,
  ) {}

  get(userId: string): Promise<PreferencesResponse> {
    return this.repo.get(userId);
  }

  async update(userId: string, changes: UpdatePreferencesBody): Promise<PreferencesResponse> {
    const after = await this.repo.update(userId, changes);
    this.ws.emit({ userId }, 'preferences:updated', after);
    return after;
  }
}
