using System.Net;
using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Services;
using Sportello.Web;

namespace Sportello.Features.Abuse;

public sealed record AbuseReporterRequest(string? Name = null, string? Email = null);

/// <summary>A report from a web form or a feed. <c>automatic</c> (a feed): no acknowledgement, as for automatic mail.</summary>
public sealed record AbuseReportRequest(
    string? Type = null, string? SourceIp = null, DateTime? OccurredAt = null, AbuseReporterRequest? Reporter = null, string? Evidence = null,
    List<string>? Urls = null, bool? Automatic = null);

/// <summary>The answer to a report: the case it is in, and the reference the reporter quotes.</summary>
public sealed record AbuseReported(Guid CaseId, string Reference, string State, int Reports);

/// <summary>An admin (or a feed with an admin's token) files a report: validated, then the same path as mail.</summary>
public sealed class SubmitAbuseReport(SportelloDb db, ReceiveAbuseReport receive)
{
    public async Task<Outcome<AbuseReported>> HandleAsync(AbuseReportRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var type = Type(errors, request.Type);
        var ip = PublicAddress(errors, "sourceIp", request.SourceIp);
        AbuseChanges.Text(errors, "evidence", request.Evidence, AbuseReportParser.MaxEvidence);
        string? email = null;
        if (request.Reporter is { } reporter)
        {
            if (reporter.Email is not null && (email = EmailAddresses.Normalize(reporter.Email)) is null)
            {
                errors.Add("reporter.email", "reporter.email must be one plain email address.");
            }
            if (reporter.Name is { Length: > 200 })
            {
                errors.Add("reporter.name", "reporter.name is at most {0} characters.", 200);
            }
        }
        var urls = new List<string>();
        for (var i = 0; i < (request.Urls?.Count ?? 0); i++)
        {
            if (Uri.TryCreate(request.Urls![i], UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && request.Urls[i].Length <= 2000)
            {
                urls.Add(request.Urls[i]);
            }
            else
            {
                errors.Add($"urls[{i}]", "urls[{0}] must be an absolute http or https URL of at most 2,000 characters.", i);
            }
        }
        if (urls.Count > 50)
        {
            errors.Add("urls", "urls lists at most {0} addresses.", 50);
        }
        if (errors.Any)
        {
            return Outcome<AbuseReported>.Invalid(errors);
        }
        var received = await ReceiveAbuseReport.StoreAsync(db, () => receive.HandleAsync(new IncomingAbuseReport(AbuseSources.Api, AbuseFormats.Text,
            type!, [ip!], urls, Utc(request.OccurredAt), request.Reporter?.Name?.Trim() is { Length: > 0 } name ? name : null, email,
            request.Automatic == true, null, request.Evidence!.Trim())
        {
            AcknowledgeTo = email,
            ReporterDomains = AbuseEvidence.DomainOf(email) is { } domain ? [domain] : [],
        }, cancellationToken), cancellationToken);
        return Outcome<AbuseReported>.Ok(new AbuseReported(received.Case.Id, received.Case.Reference, received.Case.State, received.Case.Reports));
    }

    /// <summary>An instant without a zone is UTC, as everywhere in the API (never the server's local time).</summary>
    private static DateTime? Utc(DateTime? at) => at switch
    {
        null => null,
        { Kind: DateTimeKind.Unspecified } unspecified => DateTime.SpecifyKind(unspecified, DateTimeKind.Utc),
        { } known => known.ToUniversalTime(),
    };

    /// <summary>One of the report types, else an error naming <c>type</c>.</summary>
    public static string? Type(ValidationErrors errors, string? value)
    {
        var type = value?.Trim().ToLowerInvariant();
        if (type is null || !AbuseTypes.All.Contains(type))
        {
            errors.Add("type", "type must be one of: {0}.", string.Join(", ", AbuseTypes.All));
            return null;
        }
        return type;
    }

    /// <summary>A public IPv4 or IPv6 address in its canonical form, else an error naming <paramref name="field"/>.</summary>
    public static string? PublicAddress(ValidationErrors errors, string field, string? value)
    {
        var normalized = IpAddresses.Normalize(value);
        if (normalized is null)
        {
            errors.Add(field, "{0} must be an IPv4 or IPv6 address.", field);
            return null;
        }
        var address = IPAddress.Parse(normalized);
        // ::ffff:192.0.2.7 is 192.0.2.7, as services record it (and as the mail parser reads it).
        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (!AbuseReportParser.IsPublic(address))
        {
            errors.Add(field, "{0} is a private, loopback or reserved address: it is nobody's hosted service.", field);
            return null;
        }
        return address.ToString();
    }
}
