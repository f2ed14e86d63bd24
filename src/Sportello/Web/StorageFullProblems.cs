using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Sportello.Web;

/// <summary>
/// The disk under the database is full: SQLite's <c>SQLITE_FULL</c>, PostgreSQL's <c>disk_full</c> (53100), or the
/// operating system's "no space left". The write was rolled back whole by the database, so the caller hears a 503
/// problem that says so and when to retry, never a 500; the node keeps serving reads and writes again once space returns.
/// </summary>
internal sealed class StorageFullProblems(ILogger<StorageFullProblems> logger) : IExceptionHandler
{
    private const int SqliteFull = 13;
    private const int NoSpaceLeft = 28; // ENOSPC
    private const string RetryAfterSeconds = "60";

    public static bool Is(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteFull } or PostgresException { SqlState: PostgresErrorCodes.DiskFull }
                || (e is IOException && (e.HResult & 0xFFFF) == NoSpaceLeft))
            {
                return true;
            }
        }
        return false;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!Is(exception))
        {
            return false;
        }
        logger.LogError("A write was refused: the database's storage is full ({Error}). Free space or grow the volume; writes resume by themselves.",
            exception.GetBaseException().Message);
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        if (!httpContext.Request.Path.StartsWithSegments("/api"))
        {
            return false; // pages: the error page, with the status chosen in WebFeature
        }
        await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage is full",
            detail: "The server's storage is full, so nothing was saved. Try again in a few minutes.").ExecuteAsync(httpContext);
        return true;
    }
}
