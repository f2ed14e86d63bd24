using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Sportello.Tests.Web;

/// <summary>
/// Two advisories answered by what the product is built from. Server-side request forgery (osTicket CVE-2020-24881,
/// Zammad CVE-2021-42091): Sportello fetches nothing a user names; its only outgoing connections go where an admin's
/// configuration says (the mail relay, the IMAP mailbox, the VIES endpoint), so each client type is allowed in exactly
/// the classes named here (<c>System.Net.Dns</c> resolves only the listener's own <c>Sportello:Mail:SmtpListen</c>). Polymorphic deserialization (WHMCS CVE-2026-67399): no serializer that instantiates a type
/// named in its input is referenced at all.
/// </summary>
public sealed class OutboundAndSerializerAdvisoryTests
{
    private static readonly Assembly Product = typeof(Program).Assembly;

    private static readonly string[] Listener =
    [
        "Sportello.Features.Mail.Inbound.NoDelayListener", "Sportello.Features.Mail.Inbound.NoDelayListenerFactory",
        "Sportello.Features.Mail.Inbound.SessionLimits",
    ];

    /// <summary>Client types that open connections, and the only product classes allowed to hold one, with why.</summary>
    private static readonly Dictionary<string, (string[] Holders, string Why)> Clients = new()
    {
        ["System.Net.Http.HttpClient"] = (["Sportello.Features.Billing.ViesRegistry"],
            "POSTs a VAT id to Sportello:Billing:Vies:Url, an admin's setting; the user's input is only the JSON body"),
        ["MailKit.Net.Smtp.SmtpClient"] = (["Sportello.Features.Mail.Outbound.OutboxWorker"],
            "the relay is Sportello:Mail:Outbound:Host, an admin's setting; recipients are addresses, never hosts"),
        ["MailKit.Net.Imap.ImapClient"] = (["Sportello.Features.Mail.Inbound.ImapIntake"],
            "the mailboxes are Sportello:Mail:Imap, an admin's setting"),
        ["System.Net.Sockets.TcpClient"] = (Listener, "accepted connections of the SMTP listener"),
        ["System.Net.Sockets.TcpListener"] = (Listener, "the SMTP listener, on Sportello:Mail:SmtpListen"),
        ["System.Net.Sockets.Socket"] = (Listener, "accepted connections of the SMTP listener"),
        ["System.Net.Sockets.NetworkStream"] = (Listener, "accepted connections of the SMTP listener"),
    };

    /// <summary>Referenced nowhere: each would be a way to fetch what a user names, or to build one.</summary>
    private static readonly string[] NeverReferenced =
    [
        "System.Net.Http.HttpMessageInvoker", "System.Net.Http.IHttpClientFactory", "System.Net.Http.SocketsHttpHandler",
        "System.Net.Http.HttpClientHandler", "System.Net.WebRequest", "System.Net.HttpWebRequest", "System.Net.WebClient",
        "System.Net.FtpWebRequest", "System.Net.Sockets.UdpClient",
        "MailKit.Net.Pop3.Pop3Client", "System.Xml.XmlUrlResolver", "System.Xml.XmlSecureResolver",
    ];

    /// <summary>
    /// Serializers that instantiate whatever type their input names, and the switches that turn it on in the others.
    /// YamlDotNet is referenced, for its event parser and node tree only (AbuseReportParser): its object
    /// deserializer, which maps tags such as <c>!!python/object/apply</c> or <c>!&lt;tag:yaml.org,2002:System.Diagnostics.Process&gt;</c>
    /// to types, is not.
    /// </summary>
    private static readonly string[] Deserializers =
    [
        "System.Runtime.Serialization.Formatters.Binary.BinaryFormatter", "System.Runtime.Serialization.NetDataContractSerializer",
        "System.Web.UI.LosFormatter", "System.Web.UI.ObjectStateFormatter", "System.Runtime.Serialization.Formatters.Soap.SoapFormatter",
        "System.Runtime.Serialization.DataContractSerializer", "System.Runtime.Serialization.Json.DataContractJsonSerializer",
        "System.Xml.Serialization.XmlSerializer", "System.Web.Script.Serialization.JavaScriptSerializer",
        "Newtonsoft.Json.TypeNameHandling", "Newtonsoft.Json.JsonSerializerSettings", "Newtonsoft.Json.JsonConvert",
        "YamlDotNet.Serialization.Deserializer", "YamlDotNet.Serialization.DeserializerBuilder", "YamlDotNet.Serialization.IDeserializer",
        "YamlDotNet.Serialization.StaticDeserializerBuilder",
        "System.Text.Json.Serialization.JsonPolymorphicAttribute", "System.Text.Json.Serialization.JsonDerivedTypeAttribute",
        "System.Text.Json.Serialization.ReferenceHandler",
    ];

    private static HashSet<string> TypeReferences()
    {
        using var stream = File.OpenRead(Product.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeReferences)
        {
            var reference = reader.GetTypeReference(handle);
            names.Add($"{reader.GetString(reference.Namespace)}.{reader.GetString(reference.Name)}".TrimStart('.'));
        }
        return names;
    }

    /// <summary>Every type a class mentions in its shape: fields, parameters, returns and locals, its nested (closures, state machines) included.</summary>
    private static IEnumerable<(Type Outer, Type Used)> Uses()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in Product.GetTypes())
        {
            var outer = type;
            while (outer.DeclaringType is { } parent)
            {
                outer = parent;
            }
            foreach (var field in type.GetFields(all))
            {
                yield return (outer, field.FieldType);
            }
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                foreach (var parameter in method.GetParameters())
                {
                    yield return (outer, parameter.ParameterType);
                }
                if (method is MethodInfo info)
                {
                    yield return (outer, info.ReturnType);
                }
                foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
                {
                    yield return (outer, local.LocalType);
                }
            }
        }
    }

    [Fact]
    public void OutgoingConnections_GoOnlyWhereAnAdminConfigured_FromTheNamedClasses()
    {
        var references = TypeReferences();
        Assert.Contains("System.Net.Http.HttpClient", references); // the scan sees what it should (VIES)

        var forbidden = NeverReferenced.Where(references.Contains).ToList();
        Assert.True(forbidden.Count == 0, "The product references a way to fetch a URL: " + string.Join(", ", forbidden));

        var holders = Uses().Where(u => Clients.ContainsKey(u.Used.FullName ?? ""))
            .Select(u => (Client: u.Used.FullName!, Holder: u.Outer.FullName!)).Distinct().ToList();
        var unexpected = holders.Where(h => !Clients[h.Client].Holders.Contains(h.Holder)).Select(h => $"{h.Holder} uses {h.Client}").ToList();
        Assert.True(unexpected.Count == 0,
            "A new outgoing client: if its destination can come from user input it is a server-side request forgery; "
            + "otherwise add it to Clients with the setting it connects to. " + string.Join("; ", unexpected));
        Assert.Contains(holders, h => h.Holder == "Sportello.Features.Billing.ViesRegistry");
    }

    [Fact]
    public void NoSerializer_InstantiatesATypeNamedInItsInput()
    {
        var references = TypeReferences();
        Assert.Contains("YamlDotNet.Core.Parser", references); // the scan sees YamlDotNet, used for its parser only
        var found = Deserializers.Where(references.Contains).ToList();
        Assert.True(found.Count == 0, "The product references a type-instantiating serializer: " + string.Join(", ", found));
        var assemblies = Product.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("Newtonsoft.Json", assemblies);
        Assert.DoesNotContain("System.Runtime.Serialization.Formatters", assemblies);
    }
}
