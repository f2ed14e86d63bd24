using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QRCoder;

namespace Sportello.Features.Accounts.Pages.Account;

public sealed class TwoFactorSetupModel(UserManager<User> users, SignInManager<User> signInManager, TwoFactor twoFactor) : PageModel
{
    [BindProperty]
    public string Code { get; set; } = "";

    public string Key { get; private set; } = "";
    public string QrDataUri { get; private set; } = "";
    public string? Message { get; private set; }
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public bool Started { get; private set; }

    public async Task<IActionResult> OnGetAsync() => (await MeAsync()).TwoFactorEnabled ? Redirect("/account") : Page();

    /// <summary>Makes a fresh key (a POST: it changes the account, so a link can never do it).</summary>
    public async Task<IActionResult> OnPostStartAsync()
    {
        var me = await MeAsync();
        if (me.TwoFactorEnabled)
        {
            return Redirect("/account");
        }
        var key = await twoFactor.ResetKeyAsync(me);
        // A new key renews the security stamp, which would end this very session.
        await signInManager.RefreshSignInAsync(me);
        await ShowAsync(me, key);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var me = await MeAsync();
        if (me.TwoFactorEnabled)
        {
            return Redirect("/account");
        }
        if (!await twoFactor.VerifyAsync(me, Code))
        {
            Message = "That code is not valid. Check the time on your phone and try the next code.";
            await ShowAsync(me, (await users.GetAuthenticatorKeyAsync(me))!);
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(me, true);
        RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(me, 10) ?? []];
        await signInManager.RefreshSignInAsync(me);
        return Page();
    }

    private async Task<User> MeAsync() =>
        await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in as a user who no longer exists.");

    private Task ShowAsync(User me, string key)
    {
        Started = true;
        Key = string.Join(' ', key.Chunk(4).Select(c => new string(c)));
        using var data = QRCodeGenerator.GenerateQrCode(TwoFactor.OtpAuthUri(key, me.Email!), QRCodeGenerator.ECCLevel.M);
        QrDataUri = "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(5));
        return Task.CompletedTask;
    }
}
