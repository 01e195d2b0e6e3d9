/**
 * The HTTP API of Palimpsest: {@link dev.palimpsest.server.PalimpsestServer}, its
 * {@link dev.palimpsest.server.ServerLimits} and {@link dev.palimpsest.server.ServerTls}. The
 * routes, bodies and statuses are those of {@code docs/openapi.json}, also served at
 * {@code GET /v1/openapi.json}.
 */
package dev.palimpsest.server;
