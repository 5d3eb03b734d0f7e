import { Controller, Get, Req, Res } from '@nestjs/common';
import { Permission } from '@vendure/common/lib/generated-types';
import { Allow, Ctx, RequestContext } from '@vendure/core';
import type { Request, Response } from 'express';

import { DispatchEventStreamService } from '../services/dispatch-event-stream.service';

/**
 * `GET /dispatch/events`: the live push of dispatch as server-sent events. Vendure's AuthGuard
 * resolves the session as for the admin API (bearer token or session cookie, `vendure-token`
 * channel header); the stream itself decides who receives what and answers 401 or 403 with a
 * message, so the route is open at the guard.
 */
@Controller('dispatch')
export class DispatchEventsController {
    constructor(private readonly stream: DispatchEventStreamService) {}

    @Get('events')
    @Allow(Permission.Public)
    async events(@Ctx() ctx: RequestContext, @Req() req: Request, @Res() res: Response): Promise<void> {
        await this.stream.connect(ctx, req, res);
    }
}
