using System.Net;
using System.Text;
using MimeKit;
using Sportello.Features.Abuse;

namespace Sportello.Tests.Features.Abuse;

/// <summary>Reports as providers receive them, read into addresses, type, time and reporter.</summary>
public sealed class AbuseReportParserTests
{
    private static MimeMessage Mail(string raw) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw.ReplaceLineEndings("\r\n"))));

    // RFC 5965, Appendix B, with a second hop over IPv6 in the reported message.
    private const string Arf = """
        From: <abusedesk@example.com>
        Date: Thu, 8 Mar 2005 17:40:36 EDT
        Subject: FW: Earn money
        To: <abuse@example.net>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report;
             boundary="part1_13d.2e68ed54_boundary"

        --part1_13d.2e68ed54_boundary
        Content-Type: text/plain; charset="US-ASCII"
        Content-Transfer-Encoding: 7bit

        This is an email abuse report for an email message received from IP
        192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.

        --part1_13d.2e68ed54_boundary
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: SomeGenerator/1.0
        Version: 1
        Original-Mail-From: <somespammer@example.net>
        Original-Rcpt-To: <user@example.com>
        Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT
        Reporting-MTA: dns; mail.example.com
        Source-IP: 192.0.2.1
        Reported-Domain: example.net
        Reported-Uri: http://example.net/earn_money.html

        --part1_13d.2e68ed54_boundary
        Content-Type: message/rfc822
        Content-Disposition: inline

        Received: from mailserver.example.net (mailserver.example.net [192.0.2.1]) by example.com with ESMTP id M63d4137594e46; Thu, 08 Mar 2005 14:00:00 -0400
        Received: from shop ([IPv6:2001:db8:10::11]) by mailserver.example.net with ESMTP; Thu, 08 Mar 2005 13:59:58 -0400
        Received: from laptop (192.168.1.20) by shop; Thu, 08 Mar 2005 13:59:57 -0400
        From: <somespammer@example.net>
        To: <Undisclosed Recipients>
        Subject: Earn money
        MIME-Version: 1.0
        Content-Type: text/plain
        Message-ID: <8787KJKJ3K4J3K4J3K4J3.mail@example.net>
        Date: Thu, 02 Sep 2004 12:31:03 -0500

        Spam Spam Spam
        --part1_13d.2e68ed54_boundary--
        """;

    [Fact]
    public void Arf_GivesTheSourceIp_AndTheHopsOfTheReportedMessage_NotPrivateOnes()
    {
        var report = AbuseReportParser.Parse(Mail(Arf));
        Assert.Equal(AbuseFormats.Arf, report.Format);
        Assert.Equal(AbuseTypes.Spam, report.Type);
        Assert.Equal([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8:10::11")], report.Ips);
        Assert.Contains("http://example.net/earn_money.html", report.Urls);
        Assert.Equal(new DateTime(2005, 3, 8, 18, 0, 0, DateTimeKind.Utc), report.OccurredAt);
        Assert.True(report.Automatic);
        Assert.Equal("abusedesk@example.com", report.ReporterEmail);
        Assert.Contains("Spam Spam Spam", report.Evidence, StringComparison.Ordinal);
    }

    private const string XArf = """
        From: Blocklist <reports@blocklist.example>
        To: <abuse@isp.example>
        Subject: abuse report about 192.0.2.11 - 2026-11-30T10:00:00Z
        MIME-Version: 1.0
        X-ARF: YES
        Content-Type: multipart/mixed; boundary="Abuse-bc4ce1ba"

        --Abuse-bc4ce1ba
        Content-Type: text/plain; charset=utf-8

        Dear abuse team, a host of yours attacked our SSH service.

        --Abuse-bc4ce1ba
        Content-Type: text/plain; charset=utf-8; name="report.txt"

        ---
        Reported-From: soc@blocklist.example
        Category: abuse
        Report-Type: login-attack
        Service: ssh
        Version: 0.2
        User-Agent: fail2ban
        Date: 2026-11-30T10:00:00Z
        Source-Type: ipv4
        Source: 192.0.2.11
        Port: 22
        Attachment: text/plain

        --Abuse-bc4ce1ba
        Content-Type: text/plain; charset=utf-8; name="logfile.log"

        Nov 30 10:00:00 host sshd[1]: Failed password for root from 192.0.2.11 port 4242 ssh2
        --Abuse-bc4ce1ba--
        """;

    [Fact]
    public void XArf_ReadsItsYaml_AsAnAttackFromTheSource()
    {
        var report = AbuseReportParser.Parse(Mail(XArf));
        Assert.Equal(AbuseFormats.XArf, report.Format);
        Assert.Equal(AbuseTypes.Attack, report.Type);
        Assert.Equal([IPAddress.Parse("192.0.2.11")], report.Ips);
        Assert.Equal(new DateTime(2026, 11, 30, 10, 0, 0, DateTimeKind.Utc), report.OccurredAt);
        Assert.Equal("soc@blocklist.example", report.ReporterEmail);
        Assert.True(report.Automatic);
        Assert.Contains("Failed password for root", report.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Xarf4Json_ReadsTheReportAndTheReporter()
    {
        var json = """{"Version":"4","ReporterInfo":{"ReporterOrg":"Example CERT","ReporterOrgEmail":"cert@example.org","ReporterContactEmail":"analyst@example.org","ReporterContactName":"Ana Lyst"},"Disclosure":true,"Report":{"ReportClass":"Content","ReportType":"Phishing","Date":"2026-11-29T08:15:00Z","SourceIp":"2001:db8:20::20","Url":"https://login.example.net/paypal/"}}""";
        var report = AbuseReportParser.Parse(Mail($"From: <robot@cert.example>\nTo: <abuse@isp.example>\nSubject: XARF report\nContent-Type: application/json\n\n{json}\n"));
        Assert.Equal(AbuseFormats.Xarf4, report.Format);
        Assert.Equal(AbuseTypes.Phishing, report.Type);
        Assert.Equal([IPAddress.Parse("2001:db8:20::20")], report.Ips);
        Assert.Contains("https://login.example.net/paypal/", report.Urls);
        Assert.Equal(new DateTime(2026, 11, 29, 8, 15, 0, DateTimeKind.Utc), report.OccurredAt);
        Assert.Equal("analyst@example.org", report.ReporterEmail);
        Assert.Equal("Ana Lyst", report.ReporterName);
    }

    [Theory]
    [InlineData("Your customer at 2001:db8:40::77 floods our web server (DDoS) since 10:00:00; 10.0.0.1 and ::1 are ours.", "2001:db8:40::77", AbuseTypes.Attack)]
    [InlineData("Pagina di phishing ospitata su http://198.51.100.20/login, da rimuovere.", "198.51.100.20", AbuseTypes.Phishing)]
    [InlineData("Host 203.0.113.5 is part of a botnet.", "203.0.113.5", AbuseTypes.Compromised)]
    [InlineData("Copyright infringement (DMCA) at 203.0.113.77.", "203.0.113.77", AbuseTypes.Copyright)]
    [InlineData("Spam from 198.51.100.33 hitting our users.", "198.51.100.33", AbuseTypes.Spam)]
    public void PlainText_GivesPublicAddresses_AndTheTypeFromItsWords(string body, string ip, string type)
    {
        var report = AbuseReportParser.Parse(Mail($"From: Jane <jane@example.org>\nTo: <abuse@isp.example>\nSubject: Abuse\nDate: Mon, 30 Nov 2026 09:00:00 +0000\n\n{body}\n"));
        Assert.Equal(AbuseFormats.Text, report.Format);
        Assert.Equal([IPAddress.Parse(ip)], report.Ips);
        Assert.Equal(type, report.Type);
        Assert.False(report.Automatic);
        Assert.Equal("Jane", report.ReporterName);
    }

    [Theory]
    [InlineData("{ \"Report\": { \"SourceIp\": \"192.0.2.40\", ")]     // JSON cut short
    [InlineData("{\"Report\": [1, 2, 3]} seen from 192.0.2.40")]       // the wrong shape
    public void ABrokenReport_IsReadAsText_AndLosesNothing(string body)
    {
        var report = AbuseReportParser.Parse(Mail($"From: <x@example.org>\nSubject: report\nAuto-Submitted: auto-generated\n\n{body}\n"));
        Assert.Equal(AbuseFormats.Text, report.Format);
        Assert.Equal([IPAddress.Parse("192.0.2.40")], report.Ips);
        Assert.True(report.Automatic);
        Assert.Contains("192.0.2.40", report.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void AReportWithNoAddress_IsStillAReport_Unmatched()
    {
        var report = AbuseReportParser.Parse(Mail("From: <x@example.org>\nSubject: something bad\n\nSomeone on your network did something.\n"));
        Assert.True(report.Unmatched);
        Assert.Equal(AbuseTypes.Other, report.Type);
        Assert.Contains("did something", report.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void AnXArfMarkWithoutItsYaml_IsReadAsText()
    {
        var report = AbuseReportParser.Parse(Mail("From: <x@example.org>\nX-ARF: YES\nSubject: report\n\nmalware served from 192.0.2.40\n"));
        Assert.Equal(AbuseFormats.Text, report.Format);
        Assert.Equal(AbuseTypes.Malware, report.Type);
        Assert.True(report.Automatic);
    }

    [Fact]
    public void HostileReports_AreReadWithinTheirLimits()
    {
        // JSON nested past any sane depth, then a megabyte of addresses: read as text, capped, never a crash.
        var deep = "{\"Report\":" + new string('[', 5000) + new string(']', 5000) + "}";
        var many = string.Join(" ", Enumerable.Range(0, 20_000).Select(i => $"198.51.{i / 250 % 250}.{i % 250 + 1}"));
        var report = AbuseReportParser.Parse(Mail($"From: <x@example.org>\nSubject: flood\n\n{deep}\n{many}\n"));
        Assert.Equal(AbuseFormats.Text, report.Format);
        Assert.Equal(50, report.Ips.Count);
        Assert.True(report.Evidence.Length <= AbuseReportParser.MaxEvidence);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    [InlineData("- ", "")]
    public void AYamlNestedTooDeep_IsReadAsText_WithoutRunningOutOfStack(string open, string close)
    {
        var bomb = string.Concat(Enumerable.Repeat(open, 50_000)) + string.Concat(Enumerable.Repeat(close, 50_000));
        var report = AbuseReportParser.Parse(Mail(XArf.Replace("Reported-From:", bomb + "\nReported-From:", StringComparison.Ordinal)));
        Assert.Equal(AbuseFormats.Text, report.Format);
        Assert.Contains(IPAddress.Parse("192.0.2.11"), report.Ips);
    }

    [Theory]
    [InlineData("Source-IP: fe80::1%4294967295")]
    [InlineData("Source-IP: 2001:db8::7%25eth0")]
    [InlineData("Source-IP: ::ffff:10.0.0.1")]
    public void ScopedOrMappedPrivateAddresses_AreNotReported(string line)
    {
        var report = AbuseReportParser.Parse(Mail(Arf.Replace("Source-IP: 192.0.2.1", line, StringComparison.Ordinal)));
        Assert.DoesNotContain(report.Ips, ip => (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && ip.ScopeId != 0)
            || ip.ToString().Contains("10.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void AMappedAddress_IsItsIPv4()
    {
        var report = AbuseReportParser.Parse(Mail(Arf.Replace("Source-IP: 192.0.2.1", "Source-IP: ::ffff:198.51.100.9", StringComparison.Ordinal)));
        Assert.Equal(IPAddress.Parse("198.51.100.9"), report.Ips[0]);
    }

    [Fact]
    public void TheCustomersEvidence_LosesTheReportersDomainsHostsAndTheComplainant_NotTheSample()
    {
        const string evidence = """
            Reporting-MTA: dns; mx1.fbl.example
            Received: from shop (shop.customer.example [198.51.100.7]) by mx1.fbl.example with ESMTP id 42 for <jane@isp.example>; Mon, 30 Nov 2026
            Authentication-Results: mx1.fbl.example; spf=pass smtp.mailfrom=shop.customer.example
            To: jane@isp.example
            Contact our postmaster at postmaster@fbl.example or on https://www.fbl.example/help.
            "ReporterContactEmail": "desk@other-reporter.example"
            Spam text: buy now at https://shop.customer.example/offer
            """;
        var clean = AbuseEvidence.ForCustomer(evidence, "Fiona Feedback", "loop@fbl.example", ["fbl.example", "reply.example"]);
        foreach (var gone in new[] { "fbl.example", "jane@isp.example", "desk@other-reporter.example" })
        {
            Assert.DoesNotContain(gone, clean, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains("shop.customer.example [198.51.100.7]", clean, StringComparison.Ordinal);
        Assert.Contains("https://shop.customer.example/offer", clean, StringComparison.Ordinal);
    }

    [Fact]
    public void KeptText_HasNoNulNorDirectionOverridesNorHalfASurrogatePair()
    {
        var text = AbuseEvidence.Clean("a\u0000b\u202Ec\r\nd\ud83d", 100);
        Assert.Equal("abc\nd\uFFFD", text);
        Assert.Equal("xy", AbuseEvidence.Clean("xy\ud83d\ude00", 3));
    }
}
