import {
    ArgumentsHost,
    Catch,
    Controller,
    ExceptionFilter,
    Get,
    HttpException,
    Req,
    Res,
    UseFilters,
} from '@nestjs/common';
import { Permission } from '@vendure/common/lib/generated-types';
import { Allow, ChannelNotFoundError, Ctx, ForbiddenError, Logger, RequestContext } from '@vendure/core';
import type { Request, Response } from 'express';

import { describeError } from '../../shared/errors';
import { loggerCtx } from '../constants';
import { DispatchEventStreamService } from '../services/dispatch-event-stream.service';

/**
 * What the stream answers when the request fails before it opens (in Vendure's AuthGuard, e.g. an
 * unknown `vendure-token`): a status and a message a person can act on, never a bare 500.
 */
@Catch()
export class DispatchEventsErrorFilter implements ExceptionFilter {
    catch(error: unknown, host: ArgumentsHost): void {
        const res = host.switchToHttp().getResponse<Response>();
        if (res.headersSent) {
            res.end();
            return;
        }
        const [statusCode, message] = answerFor(error);
        if (statusCode >= 500) {
            Logger.error(`Live stream request failed: ${describeError(error)}`, loggerCtx);
        }
        res.status(statusCode).json({ statusCode, message });
    }
}

function answerFor(error: unknown): [number, string] {
    if (error instanceof ChannelNotFoundError) {
        return [400, 'Unknown channel: the vendure-token header names no channel of this shop'];
    }
    if (error instanceof ForbiddenError) return [403, 'You are not allowed to receive dispatch events'];
    if (error instanceof HttpException) return [error.getStatus(), error.message];
    return [500, 'The live stream could not be opened: try again in a moment'];
}

/**
 * `GET /dispatch/events`: the live push of dispatch as server-sent events. Vendure's AuthGuard
 * resolves the session as for the admin API (bearer token or session cookie, `vendure-token`
 * channel header); the stream itself decides who receives what and answers 401 or 403 with a
 * message, so the route is open at the guard.
 */
@Controller('dispatch')
@UseFilters(DispatchEventsErrorFilter)
export class DispatchEventsController {
    constructor(private readonly stream: DispatchEventStreamService) {}

    @Get('events')
    @Allow(Permission.Public)
    async events(@Ctx() ctx: RequestContext, @Req() req: Request, @Res() res: Response): Promise<void> {
        await this.stream.connect(ctx, req, res);
    }
}
