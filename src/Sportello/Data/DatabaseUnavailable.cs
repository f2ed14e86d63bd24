using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Sportello.Data;

/// <summary>
/// The database is down, restarting or out of connections: the API answers 503 problem+json with Retry-After at once
/// (the balancer and clients try again), never a 500 nor a request that waits for it. Pages get the 503 error page.
/// </summary>
internal sealed class DatabaseUnavailable(ILogger<DatabaseUnavailable> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    /// <summary>True when <paramref name="exception"/> (or one it wraps) says the database cannot be reached now.</summary>
    public static bool IsCause(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            var unavailable = e switch
            {
                // Connection lost (08), shutting down or starting up (57P01-57P03), out of connections or resources (53; a full
                // disk, 53100, is Web/StorageFullProblems' to say).
                PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
                    || (p.SqlState.StartsWith("53", StringComparison.Ordinal) && p.SqlState != PostgresErrorCodes.DiskFull),
                // Refused, reset or timed out before any answer (Npgsql's own, not the server's: those are PostgresException).
                NpgsqlException n => n.IsTransient,
                ConnectionLostException => true,
                _ => false,
            };
            if (unavailable)
            {
                return true;
            }
        }
        return false;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsCause(exception) || !httpContext.Request.Path.StartsWithSegments("/api"))
        {
            return false;
        }
        logger.LogWarning("The database is unavailable: {Reason}", exception.GetBaseException().Message);
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Temporarily unavailable",
            detail: "The database cannot be reached right now. Try again in a few seconds.").ExecuteAsync(httpContext);
        return true;
    }
}

/// <summary>
/// A save whose connection broke under it. Npgsql then ends the transaction, and the save's next statement meets "the
/// transaction is already completed" rather than a network error (the cluster test's PostgreSQL restart met it once, as
/// a 500): <see cref="SportelloDb"/> says so with this when its connection is no longer open.
/// </summary>
internal sealed class ConnectionLostException(Exception lost)
    : Exception("The connection to the database was lost during the save.", lost);
