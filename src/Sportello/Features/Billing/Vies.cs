using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Sportello.Features.Billing;

/// <summary>What an invoice records of the online check of its buyer's VAT id.</summary>
public static class ViesChecks
{
    /// <summary>No online check was made (no VIES service configured, or it did not answer): the id was checked offline only.</summary>
    public const string NotMade = "not-made";
    /// <summary>VIES said the id is registered for intra-EU trade.</summary>
    public const string Valid = "valid";
    /// <summary>VIES said it is not: the reverse charge cannot apply.</summary>
    public const string Invalid = "invalid";
}

/// <summary><c>Sportello:Billing:Vies</c>: the online check of EU VAT ids, off unless <see cref="Url"/> is set.</summary>
public sealed class ViesOptions
{
    /// <summary>
    /// The VIES REST endpoint that checks one number, e.g.
    /// <c>https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number</c> (POST <c>{countryCode, vatNumber}</c>,
    /// answering <c>{valid}</c>). Empty: no online check, and invoices record that none was made.
    /// </summary>
    public string? Url { get; set; }
    /// <summary>How long an invoice waits for VIES before it is issued without its answer.</summary>
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary>Empty (no online check), or an absolute http or https URL.</summary>
    public static bool IsValidUrl(string? url) =>
        string.IsNullOrWhiteSpace(url)
        || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp));
}

/// <summary>
/// The online check of an EU VAT id (the European Commission's VIES), pluggable: a provider may put another registry
/// behind it. It never decides alone that there is no answer: an error, a timeout or no configured service is
/// <see cref="ViesChecks.NotMade"/>, and the invoice says so.
/// </summary>
public interface IVatIdRegistry
{
    /// <summary><paramref name="vatId"/> as <see cref="VatIds.Check"/> normalises it (with its VAT prefix: EL for Greece).</summary>
    Task<string> CheckAsync(string vatId, CancellationToken cancellationToken = default);
}

/// <summary>VIES over its REST interface, when <see cref="ViesOptions.Url"/> is set; otherwise no check.</summary>
public sealed class ViesRegistry(HttpClient http, IOptions<BillingOptions> options, ILogger<ViesRegistry> logger) : IVatIdRegistry
{
    private sealed record Request(string CountryCode, string VatNumber);

    private sealed record Answer([property: JsonPropertyName("valid")] bool? Valid);

    public async Task<string> CheckAsync(string vatId, CancellationToken cancellationToken = default)
    {
        var settings = options.Value.Vies;
        if (string.IsNullOrWhiteSpace(settings.Url) || vatId.Length < 3)
        {
            return ViesChecks.NotMade;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Clamp(settings.TimeoutSeconds, 1, 60)));
        try
        {
            using var response = await http.PostAsJsonAsync(settings.Url, new Request(vatId[..2], vatId[2..]), timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("VIES answered {Status} for a VAT id of {Country}; the invoice records no online check", (int)response.StatusCode, vatId[..2]);
                return ViesChecks.NotMade;
            }
            var answer = await response.Content.ReadFromJsonAsync<Answer>(timeout.Token);
            return answer?.Valid switch
            {
                true => ViesChecks.Valid,
                false => ViesChecks.Invalid,
                null => ViesChecks.NotMade,
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or NotSupportedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning("VIES could not be asked about a VAT id of {Country} ({Error}); the invoice records no online check", vatId[..2], ex.GetType().Name);
            return ViesChecks.NotMade;
        }
    }
}
