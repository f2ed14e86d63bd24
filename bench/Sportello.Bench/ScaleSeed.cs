using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Services;
using Sportello.Features.Sla;
using Sportello.Features.Tickets;

namespace Sportello.Bench;

/// <summary>
/// Grows a Sportello database to a number of tickets like a busy desk's history: a customer per ten tickets, one large
/// customer with 1 % of all tickets and twenty with 0.1 % each; a tenth waiting on support (created in the last 30 days,
/// their SLA marks made as the monitor would have made them, except a hundred per step left for the sweep to find),
/// a tenth answered, the rest closed over two years; 1 to 5 messages of 50-150 words in English or Italian (a third
/// of the customers write Italian), and one ticket in a thousand with 50; one audit event per ticket. Deterministic
/// (seeded random), except the time-ordered ids. Ticket numbers come from a bijection of the ticket's index onto the
/// 17,576,000,000 possible numbers, so they never collide; numbers the bench's own tickets took are skipped.
/// </summary>
internal sealed class ScaleSeed(SportelloDb model, string connectionString, string passwordHash)
{
    public const string AgentEmail = "scale-agent@example.com";
    public const string LargeCustomerEmail = "scale-large@example.com";
    public const string SmallCustomerEmail = "scale-small@example.com";
    private const int Batch = 20_000;
    private const int PendingPerStep = 100;
    private const long NumberSpace = 17_576L * 1_000_000;
    // Coprime with 2, 5 and 13 (the factors of NumberSpace): index → (Step·index + Offset) mod NumberSpace is a bijection.
    private const long Step = 2_654_435_761;
    private const long Offset = 1_234_567_891;
    private static readonly Guid CustomerRole = Guid.Parse(Roles.CustomerRoleId);
    private static readonly Guid AgentRole = Guid.Parse(Roles.AgentRoleId);

    private readonly List<Customer> customers = [];
    private readonly List<Customer> busy = [];
    private readonly List<(Guid Id, string Name)> agents = [];
    private Customer large = null!;
    private Customer small = null!;

    /// <summary>The large customer's tickets are in Italian (else English): a common word of the other language is in none of them.</summary>
    public bool LargeCustomerWritesItalian => large.Italian;

    /// <summary>The same for the small customer, one of the many, whose tickets grow only slowly with the desk.</summary>
    public bool SmallCustomerWritesItalian => small.Italian;
    private long numberIndex;

    private sealed record Customer(Guid Id, string Name, bool Italian, Guid? ServiceId, string? ServiceName);

    /// <summary>Tickets stored by the seed so far.</summary>
    public int Tickets { get; private set; }

    /// <summary>Ids of tickets with 50 messages (the ticket-view probe).</summary>
    public List<Guid> LongTickets { get; } = [];

    /// <summary>A seeded ticket's number (the search-by-reference probe).</summary>
    public string? SomeNumber { get; private set; }

    public static string Number(long index)
    {
        var value = (long)((((UInt128)(ulong)index * Step) + Offset) % NumberSpace);
        var letters = value / 1_000_000;
        return string.Create(10, (letters, digits: value % 1_000_000), static (span, v) =>
        {
            span[0] = (char)('A' + v.letters / 676);
            span[1] = (char)('A' + v.letters / 26 % 26);
            span[2] = (char)('A' + v.letters % 26);
            span[3] = '-';
            v.digits.TryFormat(span[4..], out _, "D6", System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    /// <summary>Adds tickets (and the customers they need) until <paramref name="target"/> are stored; the time it took.</summary>
    public async Task<TimeSpan> GrowAsync(int target)
    {
        var watch = Stopwatch.StartNew();
        // Tickets the bench itself opened drew random numbers: the seed skips those, so it cannot collide with them.
        var taken = (await model.Tickets.AsNoTracking().Where(t => t.Subject == ScaleBench.CreatedSubject).Select(t => t.Number).ToListAsync())
            .ToHashSet(StringComparer.Ordinal);
        var random = new Random(16_000 + Tickets);
        var now = DateTime.UtcNow;
        await using var writer = await ScaleWriter.OpenAsync(model, connectionString);
        if (customers.Count == 0)
        {
            await SeedPeopleAsync(writer, random, now);
        }
        await AddCustomersAsync(writer, random, Math.Max(100, target / 10), now);
        var pending = PendingPerStep;
        var text = new StringBuilder(2048);
        while (Tickets < target)
        {
            var count = Math.Min(Batch, target - Tickets);
            var tickets = new List<Ticket>(count);
            var messages = new List<TicketMessage>(count * 3);
            var events = new List<TicketEvent>(count);
            for (var i = 0; i < count; i++)
            {
                string number;
                do
                {
                    number = Number(numberIndex++);
                }
                while (taken.Contains(number));
                var ticket = NewTicket(random, number, now, ref pending, text);
                tickets.Add(ticket);
                messages.AddRange(ticket.Messages);
                events.Add(new TicketEvent
                {
                    Id = Guid.CreateVersion7(ticket.CreatedAt), TicketId = ticket.Id, ActorId = ticket.CustomerId, Kind = TicketEventKinds.Created,
                    Detail = $"{ticket.Department}, {ticket.Priority}, {ticket.Channel}", At = ticket.CreatedAt,
                });
            }
            await writer.BeginAsync();
            await writer.WriteAsync(tickets);
            await writer.WriteAsync(messages);
            await writer.WriteAsync(events);
            await writer.CommitAsync();
            Tickets += count;
            SomeNumber ??= tickets[count / 2].Number;
        }
        await writer.FinishAsync();
        return watch.Elapsed;
    }

    private async Task SeedPeopleAsync(ScaleWriter writer, Random random, DateTime now)
    {
        var users = new List<User>();
        var roles = new List<IdentityUserRole<Guid>>();
        var departments = new List<AgentDepartment>();
        var agent = NewUser(AgentEmail, "Scale Agent", italian: false, now);
        users.Add(agent);
        roles.Add(new IdentityUserRole<Guid> { UserId = agent.Id, RoleId = AgentRole });
        departments.Add(new AgentDepartment { UserId = agent.Id, Department = Departments.Technical });
        departments.Add(new AgentDepartment { UserId = agent.Id, Department = Departments.Financial });
        for (var i = 0; i < 50; i++)
        {
            var colleague = NewUser($"scale-agent{i}@example.com", $"Agent {i}", italian: i % 3 == 0, now);
            users.Add(colleague);
            roles.Add(new IdentityUserRole<Guid> { UserId = colleague.Id, RoleId = AgentRole });
            departments.Add(new AgentDepartment { UserId = colleague.Id, Department = i < 40 ? Departments.Technical : Departments.Financial });
            agents.Add((colleague.Id, colleague.Name));
        }
        await writer.BeginAsync();
        await writer.WriteAsync(users);
        await writer.WriteAsync(roles);
        await writer.WriteAsync(departments);
        await writer.CommitAsync();
        // The large customer and the small one sign in (the list and creation probes); twenty busy ones, 0.1 % each.
        large = await AddCustomerAsync(writer, LargeCustomerEmail, random, now);
        small = await AddCustomerAsync(writer, SmallCustomerEmail, random, now);
        for (var i = 0; i < 20; i++)
        {
            busy.Add(await AddCustomerAsync(writer, $"scale-busy{i}@example.com", random, now));
        }
    }

    private async Task<Customer> AddCustomerAsync(ScaleWriter writer, string email, Random random, DateTime now)
    {
        var before = customers.Count;
        await AddCustomersAsync(writer, random, before + 1, now, email);
        return customers[before];
    }

    private async Task AddCustomersAsync(ScaleWriter writer, Random random, int target, DateTime now, string? email = null)
    {
        while (customers.Count < target)
        {
            var users = new List<User>();
            var roles = new List<IdentityUserRole<Guid>>();
            var services = new List<Service>();
            for (var i = customers.Count; i < Math.Min(target, customers.Count + Batch); i++)
            {
                var italian = i % 3 == 2;
                var user = NewUser(email ?? $"scale{i}@example.com", italian ? $"Cliente {i}" : $"Customer {i}", italian, now.AddDays(-random.Next(1, 2000)));
                users.Add(user);
                roles.Add(new IdentityUserRole<Guid> { UserId = user.Id, RoleId = CustomerRole });
                Service? service = null;
                // Every other customer has a service (six-digit order numbers: 900,000 of them, a bijection again).
                if (i % 2 == 0 && i / 2 < 900_000)
                {
                    var order = (100_000 + ((i / 2 * 7_919L) + 12_345) % 900_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    service = new Service
                    {
                        Id = Guid.CreateVersion7(), CustomerId = user.Id, Name = $"VPS {order}", Product = "VPS", Location = "Milan",
                        OrderNumber = order, CreatedAt = user.CreatedAt,
                    };
                    services.Add(service);
                }
                customers.Add(new Customer(user.Id, user.Name, italian, service?.Id, service?.Name));
            }
            await writer.BeginAsync();
            await writer.WriteAsync(users);
            await writer.WriteAsync(roles);
            await writer.WriteAsync(services);
            await writer.CommitAsync();
        }
    }

    private User NewUser(string email, string name, bool italian, DateTime created) => new()
    {
        Id = Guid.CreateVersion7(created),
        UserName = email,
        NormalizedUserName = email.ToUpperInvariant(),
        Email = email,
        NormalizedEmail = email.ToUpperInvariant(),
        EmailConfirmed = true,
        PasswordHash = passwordHash,
        SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant(),
        ConcurrencyStamp = Guid.NewGuid().ToString(),
        LockoutEnabled = true,
        Name = name,
        Country = "IT",
        Language = italian ? Languages.Italian : Languages.English,
        TimeZone = "Europe/Rome",
        CreatedAt = created,
    };

    private Customer PickCustomer(Random random)
    {
        var r = random.Next(1000);
        return r < 10 ? large : r < 30 ? busy[r - 10] : customers[random.Next(customers.Count)];
    }

    private Ticket NewTicket(Random random, string number, DateTime now, ref int pending, StringBuilder text)
    {
        var customer = PickCustomer(random);
        var roll = random.Next(100);
        var status = roll < 5 ? TicketStatus.Open : roll < 10 ? TicketStatus.CustomerReply : roll < 20 ? TicketStatus.Answered : TicketStatus.Closed;
        var waiting = TicketStatus.WaitingOnSupport.Contains(status);
        var created = now.AddSeconds(-random.Next(waiting ? 30 * 86_400 : 730 * 86_400));
        var priority = random.Next(5) == 0 ? Priorities.High : Priorities.Normal;
        var channelRoll = random.Next(20);
        var channel = channelRoll < 14 ? Channels.Web : channelRoll < 19 ? Channels.Email : Channels.Chat;
        var policy = Policy(channel, priority);
        var ticket = new Ticket
        {
            Id = Guid.CreateVersion7(created),
            Number = number,
            CustomerId = customer.Id,
            Department = random.Next(4) == 0 ? Departments.Financial : Departments.Technical,
            Priority = priority,
            Status = status,
            Channel = channel,
            Subject = ScaleText.Subject(random, customer.Italian),
            CreatedAt = created,
            ServiceId = customer.ServiceId,
            ServiceName = customer.ServiceName,
            AssigneeId = random.Next(3) == 0 ? agents[random.Next(agents.Count)].Id : null,
        };
        SlaClock.Open(ticket, policy, created);
        // Open: only the customer has written. Customer-reply: the customer wrote last. Answered and closed: an agent did.
        var count = random.Next(1000) == 0 ? 50 : random.Next(1, 6);
        if (status == TicketStatus.Open)
        {
            count = Math.Min(count, 2);
        }
        else if (status == TicketStatus.CustomerReply)
        {
            count = Math.Max(3, count | 1);
        }
        else if (count % 2 == 1)
        {
            count++;
        }
        var at = created;
        var agent = agents[random.Next(agents.Count)];
        for (var m = 0; m < count; m++)
        {
            var fromAgent = status != TicketStatus.Open && m % 2 == 1;
            if (m > 0)
            {
                at = at.AddMinutes(random.Next(2, waiting ? 60 : 600));
                if (fromAgent)
                {
                    SlaClock.AgentReplied(ticket, at);
                }
                else if (status != TicketStatus.Open)
                {
                    SlaClock.CustomerReplied(ticket, policy, at);
                }
            }
            ticket.Messages.Add(new TicketMessage
            {
                Id = Guid.CreateVersion7(at),
                TicketId = ticket.Id,
                AuthorId = fromAgent ? agent.Id : customer.Id,
                AuthorKind = fromAgent ? AuthorKinds.Agent : AuthorKinds.Customer,
                AuthorName = fromAgent ? agent.Name : customer.Name,
                Body = ScaleText.Body(random, customer.Italian, text),
                Internal = fromAgent && random.Next(20) == 0,
                CreatedAt = at,
            });
        }
        ticket.UpdatedAt = at;
        if (status == TicketStatus.Closed)
        {
            ticket.ClosedAt = at.AddDays(random.Next(1, 8));
            // Nothing closes in the future: a recent ticket closes between its last message and now.
            ticket.ClosedAt = ticket.ClosedAt <= now ? ticket.ClosedAt : at < now ? at + (now - at) / 2 : at;
            ticket.UpdatedAt = ticket.ClosedAt.Value;
        }
        // Nor is a ticket changed in the future (the SLA roll-up reads the hour of a ticket changed after it live).
        ticket.UpdatedAt = ticket.UpdatedAt > now ? now : ticket.UpdatedAt;
        if (waiting && pending > 0 && ticket.DueAt <= now)
        {
            pending--;
        }
        else
        {
            MarkAsTheMonitorWould(ticket, now);
        }
        ticket.QueueRank = Ticket.RankOf(ticket.Status, ticket.Priority, ticket.MergedIntoId);
        ticket.Version = Guid.NewGuid();
        if (count == 50)
        {
            LongTickets.Add(ticket.Id);
        }
        return ticket;
    }

    private static void MarkAsTheMonitorWould(Ticket ticket, DateTime now)
    {
        if (ticket.AtRiskDueAt <= now)
        {
            ticket.AtRiskAt = ticket.AtRiskDueAt.Value.AddSeconds(3);
            ticket.AtRiskDueAt = null;
        }
        if (ticket.DueAt <= now)
        {
            ticket.BreachedAt = ticket.DueAt.Value.AddSeconds(3);
            ticket.FirstResponseBreached |= ticket.FirstRespondedAt is null;
        }
    }

    // The policies the migrations store (SlaPolicyConfiguration's seed rows).
    private static SlaPolicy Policy(string channel, string priority) => new()
    {
        Channel = channel,
        Priority = priority,
        FirstResponseMinutes = channel == Channels.Email ? 30 : 10,
        NextResponseMinutes = priority == Priorities.High ? 30 : 120,
    };
}
