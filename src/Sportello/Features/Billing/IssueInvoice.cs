using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Billing;

public sealed record InvoiceLineRequest(string? Description, long? NetCents);

/// <summary><c>POST /admin/invoices</c>.</summary>
public sealed record InvoiceRequest(Guid? CustomerId, List<InvoiceLineRequest>? Lines, Guid? OrderId = null);

/// <summary><c>POST /admin/invoices/{id}/credit-note</c>: the lines credited (all of the invoice when absent), and why.</summary>
public sealed record CreditNoteRequest(List<InvoiceLineRequest>? Lines, string? Reason);

/// <summary>
/// Admins issue invoices and credit notes. The buyer's details are copied as they are today (an invoice keeps them);
/// the VAT rule comes from <see cref="VatRules"/> and the rate in force on the issue date; each line's VAT is rounded,
/// then added. The number is taken from the year's sequence in the same transaction that writes the invoice, so
/// numbers have no gaps and no duplicates, whatever runs at once. A credit note reverses lines of one invoice, at that
/// invoice's rule and rates, never more than is left of it. The document's mail, with its PDF, is written in that same
/// transaction (<see cref="BillingMails"/>).
/// </summary>
public sealed class IssueInvoice(
    SportelloDb db, ReadVatRates rates, QuoteVat quote, TimeProvider clock, IOptions<BillingOptions> options, ReadInvoices read, BillingMails mails,
    IVatIdRegistry registry)
{
    public const int MaxLines = 100;
    public const int MaxDescription = 500;

    public async Task<Outcome<Invoice>> HandleAsync(Guid adminId, InvoiceRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var customer = request.CustomerId is { } id ? await CustomerAsync(id, cancellationToken) : null;
        if (customer is null)
        {
            errors.Add("customerId", "customerId is not a customer.");
        }
        var lines = Lines(request.Lines, errors, required: true);
        if (request.OrderId is { } orderId && !await db.Orders.AnyAsync(o => o.Id == orderId && o.CustomerId == request.CustomerId, cancellationToken))
        {
            errors.Add("orderId", "orderId is not an order of this customer.");
        }
        string? country = null;
        string? vatId = null;
        if (customer is not null)
        {
            country = Accounts.Countries.Normalize(customer.Country);
            if (country is null)
            {
                errors.Add("customerId", "The customer has no country in their billing details: it decides the VAT.");
            }
            else if (VatCountries.IsEu(country) && !string.IsNullOrWhiteSpace(customer.VatId))
            {
                var check = VatIds.Check(country, customer.VatId);
                if (!check.Valid)
                {
                    errors.Add("customerId", "The customer's VAT id in their billing details is not valid: correct it first.");
                }
                vatId = check.Normalized;
            }
        }
        if (errors.Any)
        {
            return Outcome<Invoice>.Invalid(errors);
        }
        var today = quote.Today();
        var rule = VatRules.Decide(options.Value.SellerCountry, country!, business: vatId is not null);
        var rate = await rates.InForceAsync(VatCountries.RuleKey(country!), today, cancellationToken);
        if (rate is null)
        {
            return Outcome<Invoice>.Unprocessable(errors.Add("customerId", "No VAT rate is known for {0} on {1}: it is not assumed to be 0 %.", country!,
                today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        }
        // The reverse charge rests on the buyer's VAT id being registered for trade within the EU: asked online when a
        // registry is configured. A "no" stops the invoice (an admin corrects the id, or removes it and the customer pays
        // VAT as a consumer); no answer is recorded as such and the offline check stands.
        var vies = ViesChecks.NotMade;
        if (rule == VatRuleKinds.ReverseCharge)
        {
            vies = await registry.CheckAsync(vatId!, cancellationToken);
            if (vies == ViesChecks.Invalid)
            {
                return Outcome<Invoice>.Unprocessable(errors.Add("customerId",
                    "VIES says the customer's VAT id {0} is not registered for trade within the EU: the reverse charge cannot apply. Correct it, or remove it so that VAT is charged.",
                    vatId!));
            }
        }
        var basisPoints = rule is VatRuleKinds.ReverseCharge or VatRuleKinds.OutOfScope ? 0 : rate.RateBasisPoints;
        var invoice = Draft(customer!, InvoiceKinds.Invoice, rule, adminId, today);
        invoice.BuyerCountry = country!;
        invoice.BuyerVatId = vatId;
        invoice.ViesCheck = vies;
        invoice.OrderId = request.OrderId;
        invoice.Lines = [.. lines!.Select((l, i) => Line(i + 1, l.Description, l.NetCents, basisPoints))];
        return Outcome<Invoice>.Ok(await WriteAsync(invoice, cancellationToken));
    }

    /// <summary>Null when there is no such invoice.</summary>
    public async Task<Outcome<Invoice>?> CreditAsync(Guid adminId, Guid invoiceId, CreditNoteRequest request, CancellationToken cancellationToken = default)
    {
        var original = await db.Invoices.AsNoTracking().Include(i => i.Lines).FirstOrDefaultAsync(i => i.Id == invoiceId, cancellationToken);
        if (original is null)
        {
            return null;
        }
        var errors = new ValidationErrors();
        if (original.Kind != InvoiceKinds.Invoice)
        {
            errors.Add("invoice", "A credit note corrects an invoice, not another credit note.");
        }
        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 1000)
        {
            errors.Add("reason", "reason is required (it is printed on the credit note), at most {0} characters.", 1000);
        }
        var lines = Lines(request.Lines, errors, required: false);
        var credited = -await db.Invoices.Where(i => i.CreditOfId == invoiceId).SumAsync(i => (long?)i.NetCents, cancellationToken) ?? 0;
        // Without lines, the whole invoice is reversed: only while none of it was credited.
        var asked = lines?.Sum(l => l.NetCents) ?? original.NetCents;
        if (!errors.Has("lines") && (asked <= 0 || asked > original.NetCents - credited))
        {
            errors.Add("lines", "A credit note credits more than nothing and at most what is left of the invoice: {0} cents.", original.NetCents - credited);
        }
        if (errors.Any)
        {
            return Outcome<Invoice>.Invalid(errors);
        }
        var customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == original.CustomerId, cancellationToken);
        var note = Draft(customer, InvoiceKinds.CreditNote, original.Rule, adminId, quote.Today());
        // The buyer and the rule are the invoice's: a credit note corrects that document, as it was issued.
        (note.BuyerName, note.BuyerCompany, note.BuyerAddress, note.BuyerCountry, note.BuyerVatId, note.Language) =
            (original.BuyerName, original.BuyerCompany, original.BuyerAddress, original.BuyerCountry, original.BuyerVatId, original.Language);
        note.CreditOfId = original.Id;
        note.Reason = reason;
        var rate = original.Lines.Select(l => l.RateBasisPoints).DefaultIfEmpty(0).Max();
        note.Lines = lines is null
            ? [.. original.Lines.OrderBy(l => l.Position).Select((l, i) => Line(i + 1, l.Description, -l.NetCents, l.RateBasisPoints))]
            : [.. lines.Select((l, i) => Line(i + 1, l.Description, -l.NetCents, rate))];
        return Outcome<Invoice>.Ok(await WriteAsync(note, cancellationToken));
    }

    /// <summary>The user <paramref name="id"/> when it is a customer.</summary>
    public async Task<User?> CustomerAsync(Guid id, CancellationToken cancellationToken)
    {
        var customerRole = Guid.Parse(Roles.CustomerRoleId);
        return await db.Users.AsNoTracking()
            .Where(u => u.Id == id && db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == customerRole)).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Checks the lines of an invoice or an order: 1 to <see cref="MaxLines"/>, each with a description and whole cents.</summary>
    public static List<(string Description, long NetCents)>? Lines(List<InvoiceLineRequest>? lines, ValidationErrors errors, bool required)
    {
        if (lines is null)
        {
            if (required)
            {
                errors.Add("lines", "lines are required: at least one, each with a description and netCents.");
            }
            return null;
        }
        if (lines.Count is 0 or > MaxLines)
        {
            errors.Add("lines", "An invoice has from 1 to {0} lines.", MaxLines);
            return null;
        }
        var result = new List<(string, long)>();
        foreach (var line in lines)
        {
            var description = line?.Description?.Trim();
            if (string.IsNullOrEmpty(description) || description.Length > MaxDescription)
            {
                errors.Add("lines", "Each line needs a description of at most {0} characters.", MaxDescription);
                return null;
            }
            if (line!.NetCents is not (>= 0 and <= QuoteVat.MaxNetCents) || line.NetCents is not { } net)
            {
                errors.Add("lines", "Each line needs netCents: a whole number of cents from 0 to {0}.", QuoteVat.MaxNetCents);
                return null;
            }
            result.Add((description, net));
        }
        return result;
    }

    private Invoice Draft(User customer, string kind, string rule, Guid adminId, DateOnly today)
    {
        var seller = options.Value;
        return new Invoice
        {
            Kind = kind, CustomerId = customer.Id, Rule = rule, IssuedAt = clock.GetUtcNow().UtcDateTime, IssueDate = today, IssuedById = adminId,
            Year = today.Year, SellerName = seller.SellerName, SellerAddress = seller.SellerAddress, SellerCountry = seller.SellerCountry,
            SellerVatId = seller.SellerVatId, BuyerName = customer.Name, BuyerCompany = customer.Company, BuyerAddress = customer.BillingAddress,
            Language = customer.Language == "it" ? "it" : "en",
        };
    }

    private static InvoiceLine Line(int position, string description, long netCents, int basisPoints) => new()
    {
        Position = position, Description = description, NetCents = netCents, RateBasisPoints = basisPoints,
        VatCents = VatRules.VatCents(netCents, basisPoints),
    };

    /// <summary>Takes the next number of the year and writes the document and its mail in one transaction.</summary>
    private async Task<Invoice> WriteAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        invoice.NetCents = invoice.Lines.Sum(l => l.NetCents);
        invoice.VatCents = invoice.Lines.Sum(l => l.VatCents);
        invoice.GrossCents = invoice.NetCents + invoice.VatCents;
        foreach (var line in invoice.Lines)
        {
            line.InvoiceId = invoice.Id;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO "InvoiceSequences" ("Year", "Last") VALUES ({invoice.Year}, 0) ON CONFLICT ("Year") DO NOTHING""", cancellationToken);
        // The row stays locked until the commit: the next issuer waits, and a rollback gives the number back.
        invoice.Sequence = (await db.Database.SqlQuery<int>(
            $"""UPDATE "InvoiceSequences" SET "Last" = "Last" + 1 WHERE "Year" = {invoice.Year} RETURNING "Last" AS "Value" """).ToListAsync(cancellationToken)).Single();
        invoice.Number = $"{invoice.Year:D4}/{invoice.Sequence:D6}";
        db.Invoices.Add(invoice);
        await db.SaveChangesAsync(cancellationToken);
        // The mail draws the document as the customer reads it, so it exists exactly when the document commits.
        db.OutboxMessages.AddRange(await mails.InvoiceAsync((await read.DetailAsync(invoice.Id, null, cancellationToken))!, cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return invoice;
    }
}
