using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VatRates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "VatRateChanges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    VatRateId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    RateBasisPoints = table.Column<int>(type: "INTEGER", nullable: false),
                    EffectiveFrom = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    EffectiveTo = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ById = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VatRateChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VatRateChanges_AspNetUsers_ById",
                        column: x => x.ById,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "VatRates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    RateBasisPoints = table.Column<int>(type: "INTEGER", nullable: false),
                    EffectiveFrom = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    EffectiveTo = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedById = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VatRates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VatRates_AspNetUsers_CreatedById",
                        column: x => x.CreatedById,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.InsertData(
                table: "VatRates",
                columns: new[] { "Id", "Country", "CreatedAt", "CreatedById", "EffectiveFrom", "EffectiveTo", "RateBasisPoints", "Source" },
                values: new object[,]
                {
                    { new Guid("04bb1c39-2018-daa1-cd9b-e5298e9d47b4"), "EE", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), new DateOnly(2023, 12, 31), 2000, "Estonian Value-Added Tax Act (Käibemaksuseadus) § 15: 20 %; European Commission, TEDB" },
                    { new Guid("0fb1ed7c-9845-0e74-995c-d4c5444d8ef1"), "MT", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 1800, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("11fb71b5-2bc9-ce64-c523-9c9610c25944"), "GR", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2400, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("174ef334-438f-25b7-38a1-c0ddebf3185a"), "FI", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), new DateOnly(2024, 8, 31), 2400, "Finnish VAT Act (Arvonlisäverolaki) § 84: 24 %; European Commission, TEDB" },
                    { new Guid("21427d5a-1549-7440-854c-928c267e78ec"), "ES", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2100, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("23e695f6-33b6-481a-16db-2d73a05335fd"), "SK", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), new DateOnly(2024, 12, 31), 2000, "Slovak VAT Act 222/2004 Coll. § 27: 20 %; European Commission, TEDB" },
                    { new Guid("2b40b48f-2262-642d-e7a9-64fda78c348b"), "BG", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2000, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("30ef028e-402b-2a65-fd79-33dbb0f9111c"), "LU", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2024, 1, 1), null, 1700, "Luxembourg VAT Law art. 39, back to 17 % from 2024-01-01; AED" },
                    { new Guid("3382ae5c-189a-1b52-07de-ebd263e4fd70"), "SK", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2025, 1, 1), null, 2300, "Act 278/2024 Coll. amending Act 222/2004: 23 % from 2025-01-01; Financial Administration of the Slovak Republic" },
                    { new Guid("347d5341-b8d7-a263-3047-72f51127a88b"), "AT", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2000, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("3860f0a1-1ef7-821d-4e91-26d262e93c8f"), "LV", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2100, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("3f156dee-f7fe-51d7-5d8d-a4745b5bfffd"), "OTHER", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 0, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("3f650d38-6b68-0309-89e2-4e893382a2ec"), "SI", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2200, "Slovenian VAT Act (ZDDV-1) art. 41: 22 % (the seed's table leaves it blank); Financial Administration (FURS)" },
                    { new Guid("3fd83e7a-e60e-7ac3-48b8-b1ba1ab667cf"), "LU", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), new DateOnly(2023, 12, 31), 1600, "Law of 26 October 2022 (temporary cut for 2023): 16 %; Administration de l'enregistrement (AED)" },
                    { new Guid("4204bf18-0cf4-167e-4069-e3ae95630214"), "RO", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), new DateOnly(2025, 7, 31), 1900, "Romanian Fiscal Code (Law 227/2015) art. 291: 19 %; European Commission, TEDB" },
                    { new Guid("541ce2dc-5eab-8969-e3b7-7834b4dd075c"), "HU", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2700, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("67262a11-faf5-8d01-8b46-652064eb59c2"), "CY", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 1900, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("69a4985c-6164-147d-678a-6620ed3c98a2"), "FR", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2000, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("7737305c-1199-8fdd-22aa-50e66715b063"), "PL", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2300, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("7a1ecfa4-c1ca-19a4-ac4e-9c5091e15ba4"), "HR", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2500, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("7c9c4a41-ea17-c1be-fd40-968cf2ddcad1"), "EE", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2025, 7, 1), null, 2400, "Käibemaksuseadus amended 2024: 24 % from 2025-07-01; Estonian Tax and Customs Board" },
                    { new Guid("7e00fee5-b75f-10c0-648d-ce62552f1cd8"), "IE", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2300, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("89351777-b15d-2355-fc29-a6e979f24702"), "FI", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2024, 9, 1), null, 2550, "Arvonlisäverolaki § 84 amended (Act 300/2024): 25.5 % from 2024-09-01; Finnish Tax Administration (Vero)" },
                    { new Guid("8fe2bd74-784a-ebc1-8eb2-1991e5977151"), "LT", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2100, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("91f9d22c-2ac9-3085-5b49-f529122b839c"), "BE", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2100, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("989bdd14-e0d7-81b6-72ba-46b851a6220d"), "DK", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2500, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("99317895-6bd5-60eb-c584-dc169587fb8d"), "RO", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2025, 8, 1), null, 2100, "Law 141/2025 amending the Fiscal Code: 21 % from 2025-08-01; ANAF" },
                    { new Guid("a2a3618d-e1ae-2cb1-353d-8d5233e6bf26"), "SE", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2500, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("ae804202-4d52-be2c-5df8-cb00d6409355"), "CZ", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2100, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("b5969f56-c7ac-48f4-f820-5b10d28d3a08"), "US", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 0, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("bb16ecc3-9c4f-28c9-4de6-e3e8b174e29b"), "EE", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2024, 1, 1), new DateOnly(2025, 6, 30), 2200, "Käibemaksuseadus amended 2022 (RT I, 22.12.2022): 22 % from 2024-01-01; Estonian Tax and Customs Board" },
                    { new Guid("c2a893b5-6793-1415-5120-49672bfae87b"), "DE", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 1900, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("d2e14f72-0308-67a3-9f90-2af251ee7ac2"), "PT", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2300, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("edc46dc7-d143-d95c-0dae-3675339a95e1"), "NL", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2100, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" },
                    { new Guid("fdcb4e34-17d5-ae50-4fc7-ce7322ae841f"), "IT", new DateTime(2026, 12, 4, 0, 0, 0, 0, DateTimeKind.Utc), null, new DateOnly(2023, 1, 1), null, 2200, "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)" }
                });

            migrationBuilder.CreateIndex(
                name: "IX_VatRateChanges_At",
                table: "VatRateChanges",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_VatRateChanges_ById",
                table: "VatRateChanges",
                column: "ById");

            migrationBuilder.CreateIndex(
                name: "IX_VatRates_Country_EffectiveFrom",
                table: "VatRates",
                columns: new[] { "Country", "EffectiveFrom" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VatRates_CreatedById",
                table: "VatRates",
                column: "CreatedById");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "VatRateChanges");

            migrationBuilder.DropTable(
                name: "VatRates");
        }
    }
}
