import { Global, Module } from '@nestjs/common';
import { UserStateRepository } from './user-state.repository.js';

/** The `user_state` row's one owner, for every module that reads it or changes it. */
@Global()
@Module({ providers: [UserStateRepository], exports: [UserStateRepository] })
export class UserStateModule {}
