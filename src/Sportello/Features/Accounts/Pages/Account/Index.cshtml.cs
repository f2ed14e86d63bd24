using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;
using Sportello.Features.Mail;
using Sportello.Web;

namespace Sportello.Features.Accounts.Pages.Account;

public sealed class IndexModel(
    UserManager<User> users, SignInManager<User> signInManager, ApiTokens apiTokens, ChangePassword changePassword, TimeProvider clock,
    NotificationAddresses notificationAddresses, ChangeEmail changeEmail, Notices.CalendarFeeds calendars, Billing.BillingDetails billing,
    PasswordReentry reentry, TwoFactor twoFactor)
    : PageModel
{
    public static readonly IReadOnlyList<string> TimeZones = [.. DateTimeZoneProviders.Tzdb.Ids.Order(StringComparer.Ordinal)];

    public sealed class ProfileInput
    {
        public string Name { get; set; } = "";
        public string? Company { get; set; }
        public string Language { get; set; } = Languages.English;
        public string TimeZone { get; set; } = "Europe/Rome";
    }

    public sealed class PasswordInput
    {
        public string? CurrentPassword { get; set; }
        public string? NewPassword { get; set; }
    }

    [BindProperty]
    public ProfileInput Profile { get; set; } = new();

    [BindProperty]
    public PasswordInput Password { get; set; } = new();

    /// <summary>The "Send email" section: one address per line, per type.</summary>
    public sealed class AddressesInput
    {
        public string? Invoices { get; set; }
        public string? Support { get; set; }
        public string? Abuse { get; set; }
    }

    [BindProperty]
    public AddressesInput Addresses { get; set; } = new();

    public sealed class EmailInput
    {
        public string? NewEmail { get; set; }
        public string? Password { get; set; }
    }

    [BindProperty]
    public EmailInput Email { get; set; } = new();

    /// <summary>What invoices say of the customer (the company is the profile's).</summary>
    public sealed class BillingInput
    {
        public string? Address { get; set; }
        public string? Country { get; set; }
        public string? VatId { get; set; }
    }

    [BindProperty]
    public BillingInput Billing { get; set; } = new();


    public NotificationAddressesView? CurrentAddresses { get; private set; }

    /// <summary>The customer's private maintenance calendar link, when they made one.</summary>
    public Notices.CalendarLink? Calendar { get; private set; }

    public User Me { get; private set; } = null!;
    public bool TwoFactorEnabled { get; private set; }
    public List<ApiToken> Tokens { get; private set; } = [];
    public DateTime Now { get; private set; }
    public string? NewToken { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public string Local(DateTime utc) => Display.LocalTime(utc, Me.TimeZone);

    public async Task<IActionResult> OnGetAsync()
    {
        await LoadAsync(fillProfile: true);
        return Page();
    }

    public async Task<IActionResult> OnPostProfileAsync()
    {
        var me = await CurrentUserAsync();
        var errors = new ValidationErrors();
        Features.Accounts.Profile.ValidateName(errors, Profile.Name);
        Features.Accounts.Profile.ValidateLanguage(errors, Profile.Language);
        Features.Accounts.Profile.ValidateTimeZone(errors, Profile.TimeZone);
        if (Profile.Company?.Trim().Length > 200)
        {
            errors.Add("company", "company is at most 200 characters.");
        }
        if (errors.Any)
        {
            errors.CopyTo(this, "Profile.");
            await LoadAsync(fillProfile: false);
            return Page();
        }
        me.Name = Profile.Name.Trim();
        if (User.IsInRole(Roles.Customer))
        {
            me.Company = string.IsNullOrWhiteSpace(Profile.Company) ? null : Profile.Company.Trim();
        }
        me.Language = Profile.Language;
        me.TimeZone = Profile.TimeZone;
        await users.UpdateAsync(me);
        Localization.RememberLanguage(Response, me.Language);
        await signInManager.RefreshSignInAsync(me);
        Notice = "Profile saved.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostPasswordAsync()
    {
        var me = await CurrentUserAsync();
        var errors = await changePassword.HandleAsync(me, Password.CurrentPassword, Password.NewPassword, HttpContext.RequestAborted);
        if (errors.Any)
        {
            errors.CopyTo(this, "Password.");
            await LoadAsync(fillProfile: true);
            return Page();
        }
        await signInManager.RefreshSignInAsync(me);
        Notice = "Password changed. Other sessions are signed out and API tokens revoked.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostEmailAsync()
    {
        var me = await CurrentUserAsync();
        var outcome = await changeEmail.RequestAsync(me, new EmailChangeRequest(Email.NewEmail, Email.Password), HttpContext.RequestAborted);
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this, "Email.");
            await LoadAsync(fillProfile: true);
            return Page();
        }
        Notice = "We sent a link to your current address and one to the new address. The change happens once both are confirmed.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostAddressesAsync()
    {
        var me = await CurrentUserAsync();
        if (!User.IsInRole(Roles.Customer))
        {
            return Forbid();
        }
        static List<string> Lines(string? text) =>
            (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var outcome = await notificationAddresses.SetAsync(me,
            new NotificationAddressesRequest(Lines(Addresses.Invoices), Lines(Addresses.Support), Lines(Addresses.Abuse)), HttpContext.RequestAborted);
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this, "Addresses.");
            await LoadAsync(fillProfile: true, fillAddresses: false);
            return Page();
        }
        Notice = "Addresses saved. Each new address receives a confirmation link, and nothing else until it is confirmed.";
        return RedirectToPage(null, null, "send-email-h");
    }

    public async Task<IActionResult> OnPostCreateTokenAsync(string? tokenName)
    {
        var me = await CurrentUserAsync();
        if (string.IsNullOrWhiteSpace(tokenName) || tokenName.Trim().Length > 100)
        {
            ModelState.AddModelError("tokenName", "Give the token a name of up to 100 characters.");
            await LoadAsync(fillProfile: true);
            return Page();
        }
        var issued = await apiTokens.IssueAsync(me.Id, tokenName.Trim(), HttpContext.RequestAborted);
        NewToken = issued.Token;
        await LoadAsync(fillProfile: true);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeTokenAsync(Guid tokenId)
    {
        var me = await CurrentUserAsync();
        if (!await apiTokens.RevokeAsync(me.Id, tokenId, HttpContext.RequestAborted))
        {
            return NotFound();
        }
        Notice = "Token revoked.";
        return RedirectToPage();
    }

    /// <summary>Turning two-factor off takes the password (counted towards the lockout) and a current code: a stolen session alone cannot.</summary>
    public async Task<IActionResult> OnPostDisableTwoFactorAsync(string? password, string? code)
    {
        var me = await CurrentUserAsync();
        var errors = new ValidationErrors();
        if (await reentry.CheckAsync(me, password, errors, "password")
            && !await twoFactor.VerifyAsync(me, code)
            && !(code is { Length: > 0 } && (await users.RedeemTwoFactorRecoveryCodeAsync(me, code.Trim())).Succeeded))
        {
            errors.Add("code", "The code is not right: use the one your app shows now, or a recovery code.");
        }
        errors.CopyTo(this);
        if (!ModelState.IsValid)
        {
            await LoadAsync(fillProfile: true);
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(me, false);
        await users.ResetAuthenticatorKeyAsync(me);
        await signInManager.RefreshSignInAsync(me);
        Notice = "Two-factor authentication is off.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostBillingAsync()
    {
        if (!User.IsInRole(Roles.Customer))
        {
            return Forbid();
        }
        var me = await CurrentUserAsync();
        var outcome = await billing.SetAsync(me.Id, new Billing.BillingDetailsView(me.Company, Billing.Address, Billing.Country, Billing.VatId), HttpContext.RequestAborted);
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this, "Billing.");
            await LoadAsync(fillProfile: true, fillBilling: false);
            return Page();
        }
        Notice = "Billing details saved. Invoices already issued keep the details they were issued with.";
        return RedirectToPage();
    }

    /// <summary>Customers: a new private calendar link (the old one stops working).</summary>
    public async Task<IActionResult> OnPostCalendarAsync()
    {
        if (!User.IsInRole(Roles.Customer))
        {
            return Forbid();
        }
        await calendars.RenewAsync((await CurrentUserAsync()).Id, HttpContext.RequestAborted);
        Notice = "A new calendar link is ready; the old one no longer works.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRevokeCalendarAsync()
    {
        if (!User.IsInRole(Roles.Customer))
        {
            return Forbid();
        }
        await calendars.RevokeAsync((await CurrentUserAsync()).Id, HttpContext.RequestAborted);
        Notice = "The calendar link no longer works.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        var me = await CurrentUserAsync();
        await users.UpdateSecurityStampAsync(me);
        await signInManager.SignOutAsync();
        return Redirect("/signin");
    }

    private async Task<User> CurrentUserAsync() =>
        await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in as a user who no longer exists.");

    private async Task LoadAsync(bool fillProfile, bool fillAddresses = true, bool fillBilling = true)
    {
        Me = await CurrentUserAsync();
        Now = clock.GetUtcNow().UtcDateTime;
        TwoFactorEnabled = Me.TwoFactorEnabled;
        Tokens = await apiTokens.ListAsync(Me.Id, HttpContext.RequestAborted);
        if (fillProfile)
        {
            Profile = new ProfileInput { Name = Me.Name, Company = Me.Company, Language = Me.Language, TimeZone = Me.TimeZone };
        }
        if (User.IsInRole(Roles.Customer))
        {
            CurrentAddresses = await notificationAddresses.GetAsync(Me.Id, HttpContext.RequestAborted);
            Calendar = await calendars.FindAsync(Me.Id, HttpContext.RequestAborted);
            if (fillBilling)
            {
                Billing = new BillingInput { Address = Me.BillingAddress, Country = Me.Country, VatId = Me.VatId };
            }
            if (fillAddresses)
            {
                static string Text(IEnumerable<NotificationAddressView> rows) => string.Join("\n", rows.Select(r => r.Address));
                Addresses = new AddressesInput
                {
                    Invoices = Text(CurrentAddresses.Invoices), Support = Text(CurrentAddresses.Support), Abuse = Text(CurrentAddresses.Abuse),
                };
            }
        }
    }
}
