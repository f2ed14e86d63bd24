using Sportello.Features.Tickets;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>
/// How far the sender of one mail is known, kept on its message (<see cref="SenderTrust"/>): verified when the mail is
/// authenticated and its sender belongs to the ticket's account (an agent, the customer), registered when it only
/// comes from such an address, unverified otherwise. Automatic mail earns nothing, whoever it claims to be from.
/// </summary>
public static class MessageTrust
{
    public static string Of(bool knownSender, SenderCheckResult check, bool automatic) =>
        automatic || !knownSender || check.Verdict == SenderVerdicts.Fail ? SenderTrust.Unverified
        : check.Verdict == SenderVerdicts.Pass ? SenderTrust.Verified
        : SenderTrust.Registered;
}
