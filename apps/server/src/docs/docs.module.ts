import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller.js';

/** `GET /docs`: the contract as a page. */
@Module({ controllers: [DocsController] })
export class DocsModule {}
