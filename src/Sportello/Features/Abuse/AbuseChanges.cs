using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Abuse;

/// <summary>
/// Saves one change to a case. A case changes under several hands at once (the customer answers while the deadline
/// sweep escalates, two agents act): its <see cref="AbuseCase.Version"/> makes the later save fail rather than undo
/// the other, and the change is then worked out again from what is now stored, up to three times. The same holds when
/// another hand took a unique value first (a case's group key).
/// </summary>
public static class AbuseChanges
{
    public static async Task<Outcome<T>?> SaveAsync<T>(SportelloDb db, Func<Task<Outcome<T>?>> attempt, CancellationToken cancellationToken) where T : class
    {
        for (var tries = 1; ; tries++)
        {
            var outcome = await attempt();
            if (outcome?.Value is null)
            {
                db.ChangeTracker.Clear();
                return outcome;
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return outcome;
            }
            catch (DbUpdateException) when (tries < 3)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>The text field <paramref name="field"/>: required, at most <paramref name="max"/> characters.</summary>
    public static void Text(ValidationErrors errors, string field, string? value, int max) =>
        Tickets.OpenTicket.Text(errors, field, value, max, required: true);
}
