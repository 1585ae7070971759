import { Module } from '@nestjs/common';
import { AuthModule } from './auth.module.js';
import { DevTokenController } from './dev-token.controller.js';

@Module({ imports: [AuthModule], controllers: [DevTokenController] })
export class DevTokenModule {}
