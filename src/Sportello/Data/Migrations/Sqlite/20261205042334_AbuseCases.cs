using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AbuseCases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "AbuseCaseId",
                table: "InboundMessages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AbuseCases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Ip = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true),
                    Ips = table.Column<string>(type: "TEXT", maxLength: 2400, nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ServiceId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Reports = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastReportAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    ForwardedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RespondBy = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CustomerRespondedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EscalatedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    SuspensionRequestedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    SuspensionReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ResolvedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Resolution = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    NotOursAnsweredAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    GroupKey = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AbuseCases", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AbuseEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ActorId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AbuseEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AbuseEvents_AbuseCases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "AbuseCases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AbuseMessages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AuthorKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    AuthorId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AuthorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    Trust = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    InboundMessageId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AbuseMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AbuseMessages_AbuseCases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "AbuseCases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AbuseReports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Ips = table.Column<string>(type: "TEXT", maxLength: 2400, nullable: false),
                    Urls = table.Column<string>(type: "TEXT", maxLength: 50000, nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ReporterName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ReporterEmail = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    Automatic = table.Column<bool>(type: "INTEGER", nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Evidence = table.Column<string>(type: "TEXT", nullable: false),
                    CustomerEvidence = table.Column<string>(type: "TEXT", nullable: false),
                    InboundMessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AcknowledgedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AbuseReports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AbuseReports_AbuseCases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "AbuseCases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AbuseCases_CreatedAt",
                table: "AbuseCases",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_AbuseCases_CustomerId_Id",
                table: "AbuseCases",
                columns: new[] { "CustomerId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AbuseCases_GroupKey",
                table: "AbuseCases",
                column: "GroupKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AbuseCases_Reference",
                table: "AbuseCases",
                column: "Reference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AbuseCases_ServiceId",
                table: "AbuseCases",
                column: "ServiceId");

            migrationBuilder.CreateIndex(
                name: "IX_AbuseCases_State_Id",
                table: "AbuseCases",
                columns: new[] { "State", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AbuseCases_State_RespondBy",
                table: "AbuseCases",
                columns: new[] { "State", "RespondBy" });

            migrationBuilder.CreateIndex(
                name: "IX_AbuseEvents_CaseId_Sequence",
                table: "AbuseEvents",
                columns: new[] { "CaseId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_AbuseMessages_CaseId_At",
                table: "AbuseMessages",
                columns: new[] { "CaseId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_AbuseReports_CaseId_ReceivedAt",
                table: "AbuseReports",
                columns: new[] { "CaseId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AbuseReports_InboundMessageId",
                table: "AbuseReports",
                column: "InboundMessageId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AbuseEvents");

            migrationBuilder.DropTable(
                name: "AbuseMessages");

            migrationBuilder.DropTable(
                name: "AbuseReports");

            migrationBuilder.DropTable(
                name: "AbuseCases");

            migrationBuilder.DropColumn(
                name: "AbuseCaseId",
                table: "InboundMessages");
        }
    }
}
